package dev.imagefactory.build.installer;

import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.MediaTypes;
import java.nio.file.Path;

/** A gzip layer written to disk: the compressed file, its digest and size, and the digest of the tar (diff_id). */
public record LayerBlob(Path file, Digest digest, long size, Digest diffId) {

    public Descriptor descriptor() {
        return new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, size);
    }
}
