package dev.imagefactory.catalog;

import dev.imagefactory.oci.Descriptor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One layer of a base image: its descriptor as in the base manifest (media type, digest, size), the verified
 * compressed blob on local disk, and its diff_id ({@code sha256:<hex>}) from the base config. Callers must not
 * modify the blob.
 */
public record BaseLayer(Descriptor descriptor, Path blob, String diffId) {
    public BaseLayer {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(diffId, "diffId");
    }
}
