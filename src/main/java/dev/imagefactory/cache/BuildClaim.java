package dev.imagefactory.cache;

import java.util.Optional;

/**
 * Outcome of {@link ArtifactCache#claim}: either this process may build (and {@link #close()} gives the right up),
 * or another process has published the artifact, which {@link #publishedElsewhere()} returns.
 */
public interface BuildClaim extends AutoCloseable {

    /** Granted, with nothing to give up (a store used by one process only). */
    BuildClaim GRANTED = new BuildClaim() {
        @Override
        public Optional<CachedArtifact> publishedElsewhere() {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    };

    static BuildClaim published(CachedArtifact artifact) {
        return new BuildClaim() {
            @Override
            public Optional<CachedArtifact> publishedElsewhere() {
                return Optional.of(artifact);
            }

            @Override
            public void close() {
            }
        };
    }

    Optional<CachedArtifact> publishedElsewhere();

    /** Gives the right to build up (best effort: an unreleased right expires by itself). Never throws. */
    @Override
    void close();
}
