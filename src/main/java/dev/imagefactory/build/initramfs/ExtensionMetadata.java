package dev.imagefactory.build.initramfs;

import java.util.Objects;

/**
 * The {@code metadata} block of an extension's {@code manifest.yaml} (talos-imager.md §1.5), copied verbatim into
 * {@code extensions.yaml}. {@code talosVersion} is the compatibility constraint; {@code extraInfo} may be empty.
 */
public record ExtensionMetadata(String name, String version, String author, String description, String talosVersion,
        String extraInfo) {

    public ExtensionMetadata {
        Objects.requireNonNull(name, "name");
        version = Objects.requireNonNullElse(version, "");
        author = Objects.requireNonNullElse(author, "");
        description = Objects.requireNonNullElse(description, "");
        talosVersion = Objects.requireNonNullElse(talosVersion, "");
        extraInfo = Objects.requireNonNullElse(extraInfo, "");
    }
}
