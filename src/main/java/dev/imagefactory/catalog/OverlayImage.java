package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An overlay image flattened on the local disk for one architecture (talos-imager.md §1.7): {@code root} holds
 * {@code installers/<name>}, usually {@code artifacts/} and optionally {@code profiles/}. {@code name} is the overlay
 * name the release lists (the installer to use); {@code identity} names the content for cache keys (the digest the
 * release pins, or the platform manifest digest of a layout). Callers must not modify the tree.
 */
public record OverlayImage(String name, Path root, String identity) {

    /** The installer used when the overlay name is empty (talos-imager.md §1.7). */
    public static final String DEFAULT_INSTALLER = "default";

    public OverlayImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(identity, "identity");
    }

    /** {@code installers/<name>}, {@code installers/default} for an empty name. */
    public Path installer() {
        return root.resolve("installers").resolve(name.isEmpty() ? DEFAULT_INSTALLER : name);
    }

    public Path artifacts() {
        return root.resolve("artifacts");
    }

    public Path profiles() {
        return root.resolve("profiles");
    }
}
