package dev.imagefactory.oci;

import dev.imagefactory.model.Digest;

/** The image manifest picked for a platform, with the descriptor (digest) that names it. */
public record ResolvedManifest(Descriptor descriptor, ImageManifest manifest) {

    public Digest digest() {
        return descriptor.digest();
    }
}
