package dev.imagefactory.errors;

/** A build ran longer than {@code factory.build.timeout} and was cancelled. */
public class BuildTimeoutException extends ArtifactBuildException {

    public BuildTimeoutException(String message) {
        super(message);
    }
}
