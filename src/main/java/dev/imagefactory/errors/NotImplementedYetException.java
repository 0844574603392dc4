package dev.imagefactory.errors;

/** A valid request for an artifact kind this factory does not build yet; answered with 501 and this message. */
public class NotImplementedYetException extends RuntimeException {
    public NotImplementedYetException(String message) {
        super(message);
    }
}
