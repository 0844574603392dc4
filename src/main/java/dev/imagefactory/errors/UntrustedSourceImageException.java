package dev.imagefactory.errors;

/**
 * A source image (imager, installer base, extension, overlay, manifest image...) failed its cosign verification, or
 * could not be verified: a problem of the release source, not of the request, answered with 502 naming the image.
 */
public class UntrustedSourceImageException extends RuntimeException {

    public UntrustedSourceImageException(String message) {
        super(message);
    }

    public UntrustedSourceImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
