package dev.imagefactory.build;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The progress port: the scheduler tells it, per build (one plan key), when it was queued, started, each step's
 * start and end (duration, bytes written) and whether it was done or failed. Metrics and the log use it, and
 * {@link BuildBoard} serves it over HTTP ({@code /builds}).
 */
public interface BuildProgress {

    void record(Event event);

    /** One thing that happened to the build of {@code plan}. */
    record Event(Instant at, String planKey, String kind, Type type, Optional<String> step, Duration took,
            long bytesWritten, Optional<String> error) {
    }

    enum Type {
        QUEUED, STARTED, STEP_STARTED, STEP_ENDED, DONE, FAILED
    }
}
