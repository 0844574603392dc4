package dev.imagefactory.catalog;

import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageSource;
import dev.imagefactory.oci.LayerFlattener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Flattens extension images into the release cache and checks their shape, for both release sources. */
final class ExtensionImages {

    static final String CACHE_KIND = "extensions";
    private static final Set<String> TOP_LEVEL = Set.of("manifest.yaml", "rootfs");

    private ExtensionImages() {
    }

    /** Flattens {@code layers} into a new cache entry, refusing images that are not extensions. */
    static void flattenInto(Path dir, ImageSource source, List<Descriptor> layers, String where) throws IOException {
        LayerFlattener.everything().flatten(source, layers, dir);
        requireExtensionLayout(dir, where);
    }

    /** The image root must hold exactly {@code manifest.yaml} and {@code rootfs/} (talos-imager.md §1.5). */
    static void requireExtensionLayout(Path root, String where) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        boolean shaped = names.equals(TOP_LEVEL)
                && Files.isRegularFile(root.resolve("manifest.yaml"), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(root.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS);
        if (!shaped) {
            throw new ReleaseDataException(where + " is not a system extension image: its root must hold exactly"
                    + " manifest.yaml and rootfs/, it holds " + (names.isEmpty() ? "nothing" : String.join(", ", names)));
        }
    }
}
