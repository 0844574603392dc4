package dev.imagefactory.build.initramfs;

import java.nio.file.Path;

/**
 * One system extension as the initramfs step consumes it: its metadata and its {@code rootfs/} tree (read only),
 * from which the firmware and the kernel modules are taken.
 */
public record ExtensionSource(ExtensionMetadata metadata, Path rootfs) {
}
