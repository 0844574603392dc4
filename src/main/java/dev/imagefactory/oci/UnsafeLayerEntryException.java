package dev.imagefactory.oci;

/** A layer entry that would write outside the directory being filled: absolute, {@code ..}, or through a symlink. */
public class UnsafeLayerEntryException extends OciException {
    public UnsafeLayerEntryException(String message) {
        super(message);
    }
}
