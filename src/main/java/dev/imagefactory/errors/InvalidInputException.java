package dev.imagefactory.errors;

/** The client sent something we cannot accept; answered with 400 and this one-line message. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
