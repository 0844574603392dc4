package dev.imagefactory.errors;

/**
 * The shared storage (S3) could not be reached or answered with a server error. Answered with 503 and
 * {@code Retry-After}: the request was fine and will succeed once the storage is back.
 */
public class StorageUnavailableException extends RuntimeException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
