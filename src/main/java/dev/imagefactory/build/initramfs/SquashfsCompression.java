package dev.imagefactory.build.initramfs;

import dev.imagefactory.model.Quirks;
import java.util.List;

/** How mksquashfs compresses an extension (talos-imager.md §2.3): zstd level 18 from Talos 1.8, xz before. */
public enum SquashfsCompression {
    ZSTD_18(List.of("-comp", "zstd", "-Xcompression-level", "18")),
    XZ_FULL_DICTIONARY(List.of("-comp", "xz", "-Xdict-size", "100%"));

    private final List<String> args;

    SquashfsCompression(List<String> args) {
        this.args = args;
    }

    /** The compression {@code quirks} choose. */
    public static SquashfsCompression of(Quirks quirks) {
        return quirks.useZstdCompression() ? ZSTD_18 : XZ_FULL_DICTIONARY;
    }

    List<String> args() {
        return args;
    }
}
