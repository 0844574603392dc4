package dev.imagefactory.build;

import java.time.Duration;

/**
 * What happens to one build (one flight: joined requests share it), told by {@link ArtifactBuilds} as it happens:
 * queued (a new flight for a key that was not cached), started (its slot taken, the action about to run), then done
 * or failed. Called on the build's threads; implementations must be quick and must not throw.
 */
public interface BuildEvents {

    BuildEvents NONE = new BuildEvents() {
    };

    /** The ID of the tracked build this flight is ({@link BuildBoard}), for its log lines; null when untracked. */
    default String buildId() {
        return null;
    }

    default void queued() {
    }

    default void started() {
    }

    default void done(long bytes, Duration took) {
    }

    default void failed(Throwable error) {
    }
}
