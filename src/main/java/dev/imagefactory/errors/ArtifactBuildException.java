package dev.imagefactory.errors;

/** A build failed for a reason that is not the client's fault (tool error, I/O, bug); answered with 500. */
public class ArtifactBuildException extends RuntimeException {

    public ArtifactBuildException(String message) {
        super(message);
    }

    public ArtifactBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
