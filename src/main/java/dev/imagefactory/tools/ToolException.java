package dev.imagefactory.tools;

/** An external tool failed, timed out or could not start; the message carries the tool's stderr. */
public class ToolException extends RuntimeException {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
