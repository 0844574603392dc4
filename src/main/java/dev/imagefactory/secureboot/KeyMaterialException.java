package dev.imagefactory.secureboot;

/**
 * SecureBoot key material is missing, unreadable or inconsistent. Raised at startup (the service does not start)
 * and by the loaders. Messages name files and settings, never key content.
 */
public class KeyMaterialException extends RuntimeException {
    public KeyMaterialException(String message) {
        super(message);
    }

    public KeyMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
