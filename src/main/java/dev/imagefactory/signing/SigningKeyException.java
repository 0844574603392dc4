package dev.imagefactory.signing;

/** The cosign signing key cannot be read, is not ECDSA P-256, or cannot be generated; stops the start. */
public class SigningKeyException extends RuntimeException {

    public SigningKeyException(String message) {
        super(message);
    }

    public SigningKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
