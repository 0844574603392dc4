package dev.imagefactory.boot;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A FAT EFI system partition image (no partition table) made with mkfs.vfat and mtools, without mounting. */
public final class EspImage {

    private static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(2));

    private EspImage() {
    }

    /** An ESP whose removable-media loader {@code EFI/BOOT/BOOTX64.EFI} is {@code efi}. */
    public static Path withLoader(Path efi, Path image) throws IOException {
        return withLoader(efi, image, "BOOTX64.EFI");
    }

    /** An ESP whose removable-media loader is {@code EFI/BOOT/<loaderName>} (arm64: {@code BOOTAA64.EFI}). */
    public static Path withLoader(Path efi, Path image, String loaderName) throws IOException {
        long kib = Math.max(32 * 1024, Files.size(efi) / 1024 * 2);
        TOOLS.run(Command.of("mkfs.vfat", "-C", image.toString(), Long.toString(kib)));
        TOOLS.run(Command.of("mmd", "-i", image.toString(), "::/EFI", "::/EFI/BOOT"));
        TOOLS.run(Command.of("mcopy", "-i", image.toString(), efi.toString(), "::/EFI/BOOT/" + loaderName));
        return image;
    }
}
