package dev.imagefactory.oci;

/** Content whose bytes do not hash to the digest (or size) that named it: corrupted or tampered with. */
public class DigestMismatchException extends OciException {
    public DigestMismatchException(String message) {
        super(message);
    }
}
