package dev.imagefactory.oci;

import dev.imagefactory.model.Digest;

/** A manifest or index as a registry served it: the exact bytes (their digest names it) and its descriptor. */
public record ManifestDocument(Descriptor descriptor, byte[] content) {

    public Digest digest() {
        return descriptor.digest();
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(descriptor.mediaType());
    }
}
