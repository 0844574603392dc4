package dev.imagefactory.oci;

/** A registry answered with an error status; the message carries the registry's own error codes and text. */
public class RegistryException extends OciException {

    private final int status;

    public RegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }

    public boolean isNotFound() {
        return status == 404;
    }
}
