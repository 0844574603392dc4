package dev.imagefactory.build.initramfs;

import java.nio.file.Path;
import java.util.Map;

/**
 * One system extension as the initramfs step consumes it: its metadata, its {@code rootfs/} tree (read only),
 * an identity for caching its squashfs, and SELinux labels (path relative to rootfs, starting with {@code /}).
 */
public record ExtensionSource(ExtensionMetadata metadata, Path rootfs, String identity, Map<String, String> labels) {

    public ExtensionSource {
        labels = Map.copyOf(labels);
    }
}
