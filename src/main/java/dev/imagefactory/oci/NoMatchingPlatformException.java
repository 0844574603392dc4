package dev.imagefactory.oci;

/** An index without an image for the wanted platform: the image exists, just not for that architecture. */
public class NoMatchingPlatformException extends OciException {
    public NoMatchingPlatformException(String message) {
        super(message);
    }
}
