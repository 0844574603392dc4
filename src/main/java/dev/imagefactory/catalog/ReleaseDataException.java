package dev.imagefactory.catalog;

/** A release source holds data we cannot read; the operator's problem, so it surfaces as a 500 and in the log. */
public class ReleaseDataException extends RuntimeException {
    public ReleaseDataException(String message) {
        super(message);
    }

    public ReleaseDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
