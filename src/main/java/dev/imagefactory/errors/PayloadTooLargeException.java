package dev.imagefactory.errors;

/** A request body exceeded its limit; answered with 413. */
public class PayloadTooLargeException extends RuntimeException {
    public PayloadTooLargeException(String message) {
        super(message);
    }
}
