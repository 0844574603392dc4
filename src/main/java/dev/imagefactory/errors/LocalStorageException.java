package dev.imagefactory.errors;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The local disk (data directory, artifact cache) cannot take a write: it is full, read-only or refuses access. Like
 * an S3 outage this is no fault of the request, so it is answered 503 + {@code Retry-After}; unlike it, the message
 * is a one-line reason meant for the client ("local storage is full"), while the cause (with paths) goes to the log.
 */
public class LocalStorageException extends StorageUnavailableException {

    private final transient AtomicBoolean logged = new AtomicBoolean();

    public LocalStorageException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /**
     * Logs the fault at WARN, one line with its cause's message, the first time it is reported: a build's failure
     * reaches every request that waited for it as this same instance, and should be logged once, not per request.
     */
    public void logOnce(Logger log) {
        if (logged.compareAndSet(false, true)) {
            Throwable cause = getCause();
            log.warnf("%s: %s", getMessage(), cause == null ? "" : String.valueOf(cause.getMessage()));
        }
    }
}
