package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;

import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What extension and overlay images share in both release sources: they are flattened once per architecture into the
 * release cache, keyed {@code <arch>-sha256-<hex>} by the digest that identifies them, by a kind-specific
 * {@link Flattener} that also checks the image's shape.
 */
final class ImageFlattening {

    /** Flattens {@code layers} of {@code source} into the empty {@code dir}, refusing images of the wrong shape. */
    @FunctionalInterface
    interface Flattener {
        void flattenInto(Path dir, ImageSource source, List<Descriptor> layers, String where) throws IOException;
    }

    private ImageFlattening() {
    }

    /** Cache key of an image flattened for {@code arch}: {@code amd64-sha256-<hex>}. */
    static String cacheKey(Arch arch, String digest) {
        return arch.goName() + "-" + digest.replace(':', '-');
    }
}
