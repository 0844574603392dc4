package dev.imagefactory.oci;

import java.io.IOException;

/** Image content or a registry answer that cannot be used: malformed JSON, a missing blob, an unusable layer. */
public class OciException extends IOException {
    public OciException(String message) {
        super(message);
    }

    public OciException(String message, Throwable cause) {
        super(message, cause);
    }
}
