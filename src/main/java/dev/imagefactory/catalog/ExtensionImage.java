package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A system extension image flattened on the local disk for one architecture: {@code root} holds exactly
 * {@code manifest.yaml} and {@code rootfs/} (talos-imager.md §1.5). {@code identity} names its content for cache
 * keys (the image manifest digest, or a content hash for plain directories). Callers must not modify the tree.
 */
public record ExtensionImage(String name, Path root, String identity) {
    public ExtensionImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(identity, "identity");
    }

    public Path manifest() {
        return root.resolve("manifest.yaml");
    }

    public Path rootfs() {
        return root.resolve("rootfs");
    }
}
