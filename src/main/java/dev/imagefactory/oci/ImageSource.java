package dev.imagefactory.oci;

import java.io.IOException;

/** Blobs plus manifests: a registry serves manifests from their own endpoint, an OCI layout keeps them as blobs. */
public interface ImageSource extends BlobSource {

    /** The verified bytes of the manifest or index named by {@code descriptor}. */
    default byte[] readManifest(Descriptor descriptor) throws IOException {
        return readDocument(descriptor);
    }
}
