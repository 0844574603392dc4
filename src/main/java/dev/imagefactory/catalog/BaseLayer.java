package dev.imagefactory.catalog;

import dev.imagefactory.oci.Descriptor;
import java.nio.file.Path;

/**
 * One layer of a base image: its descriptor as in the base manifest (media type, digest, size), the verified
 * compressed blob on local disk, and its diff_id from the base config.
 */
public record BaseLayer(Descriptor descriptor, Path blob, String diffId) {
}
