package dev.imagefactory.errors;

/**
 * More requests wait for builds than {@code factory.build.max-waiting} allows: the service is busy, nothing is wrong
 * with the request. Answered 503 with {@code Retry-After}; no build was started for it.
 */
public class BuildQueueFullException extends RuntimeException {

    /** Builds take tens of seconds to minutes: retrying sooner mostly meets the same queue. */
    public static final int RETRY_AFTER_SECONDS = 30;

    public BuildQueueFullException(String message) {
        super(message);
    }
}
