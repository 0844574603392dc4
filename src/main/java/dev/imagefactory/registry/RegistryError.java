package dev.imagefactory.registry;

/**
 * A refusal in the OCI distribution API's own terms: an HTTP status plus one of the spec's error codes, answered as
 * {@code {"errors":[{"code":...,"message":...}]}} by {@link RegistryErrorMapper} so stock clients show the reason.
 */
public class RegistryError extends RuntimeException {

    private final int status;
    private final String code;
    private final transient Long retryAfterSeconds;

    public RegistryError(int status, String code, String message) {
        this(status, code, message, null);
    }

    private RegistryError(int status, String code, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static RegistryError nameInvalid(String message) {
        return new RegistryError(400, "NAME_INVALID", message);
    }

    public static RegistryError nameUnknown(String message) {
        return new RegistryError(404, "NAME_UNKNOWN", message);
    }

    public static RegistryError manifestUnknown(String message) {
        return new RegistryError(404, "MANIFEST_UNKNOWN", message);
    }

    public static RegistryError blobUnknown(String message) {
        return new RegistryError(404, "BLOB_UNKNOWN", message);
    }

    public static RegistryError digestInvalid(String message) {
        return new RegistryError(400, "DIGEST_INVALID", message);
    }

    /** {@code n} of a paged list is not a number from 0 up (the distribution registry's code for it). */
    public static RegistryError paginationNumberInvalid(String message) {
        return new RegistryError(400, "PAGINATION_NUMBER_INVALID", message);
    }

    /** The request names a valid image the factory refuses to build (e.g. SecureBoot off, extension unknown). */
    public static RegistryError unsupported(String message) {
        return new RegistryError(400, "UNSUPPORTED", message);
    }

    public static RegistryError unavailable(String message, long retryAfterSeconds) {
        return new RegistryError(503, "UNAVAILABLE", message, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
