package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.disk.GrubArm64;
import dev.imagefactory.build.iso.IsoTools;
import dev.imagefactory.model.Arch;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A FAT EFI system partition that boots a kernel and initramfs through GRUB: {@code EFI/BOOT/BOOTX64.EFI} or
 * {@code BOOTAA64.EFI} is a grub-mkimage image whose prefix {@code /grub} has no device (GRUB then reads its config
 * from the partition it was loaded from), {@code /grub/grub.cfg} boots {@code /vmlinuz} with {@code /initramfs}.
 * Made with grub-mkimage, mkfs.vfat and mtools, without mounting. Also wraps it into a GPT disk of 4096-byte
 * sectors (fdisk -b 4096), for the 4Kn disk tests.
 */
final class GrubEsp {

    private static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(2));
    /** The ESP's size: room for Debian's arm64 Image (33 MB) and an initramfs. */
    static final long SIZE = 48L << 20;
    /** Where the ESP starts on the 4Kn disk: 1 MiB, in 4096-byte sectors. */
    static final long FIRST_LBA_4K = 256;

    private GrubEsp() {
    }

    /** GRUB's EFI platform directory: Debian's x86_64-efi, or arm64-efi as scripts/fetch-grub-arm64 unpacks it. */
    static Path modules(Arch arch) {
        Path dir = arch == Arch.ARM64 ? GrubArm64.MODULES : IsoTools.GRUB_LIB.resolve("x86_64-efi");
        assertTrue(Files.isRegularFile(dir.resolve("moddep.lst")), "no GRUB modules in " + dir + (arch == Arch.ARM64
                ? ": run scripts/fetch-grub-arm64 (.ci/run does)" : ": apt-get install grub-efi-amd64-bin"));
        return dir;
    }

    /** The ESP as a file of {@link #SIZE} bytes with FAT sectors of {@code sectorSize} bytes. */
    static Path build(Arch arch, int sectorSize, Path kernel, Path initramfs, String cmdline, Path work)
            throws IOException {
        Path grub = work.resolve("grub.efi");
        TOOLS.run(Command.of("grub-mkimage", "--format", arch == Arch.ARM64 ? "arm64-efi" : "x86_64-efi",
                "--directory", modules(arch).toString(), "--prefix", "/grub", "--output", grub.toString(),
                "part_gpt", "fat", "normal", "configfile", "linux", "echo"));
        Path cfg = Files.writeString(work.resolve("grub.cfg"), "set timeout=0\nlinux /vmlinuz " + cmdline
                + "\ninitrd /initramfs\nboot\n");
        Path esp = work.resolve("esp.img");
        Files.deleteIfExists(esp);
        TOOLS.run(Command.of("mkfs.vfat", "-S", Integer.toString(sectorSize), "-C", esp.toString(),
                Long.toString(SIZE / 1024)));
        String image = esp.toString();
        TOOLS.run(Command.of("mmd", "-i", image, "::/EFI", "::/EFI/BOOT", "::/grub"));
        TOOLS.run(Command.of("mcopy", "-i", image, grub.toString(),
                "::/EFI/BOOT/" + (arch == Arch.ARM64 ? "BOOTAA64.EFI" : "BOOTX64.EFI")));
        TOOLS.run(Command.of("mcopy", "-i", image, cfg.toString(), "::/grub/grub.cfg"));
        TOOLS.run(Command.of("mcopy", "-i", image, kernel.toString(), "::/vmlinuz"));
        TOOLS.run(Command.of("mcopy", "-i", image, initramfs.toString(), "::/initramfs"));
        return esp;
    }

    /**
     * A 64 MiB disk image laid out for 4096-byte logical sectors: GPT header at byte 4096 (LBA 1), one EFI System
     * partition from LBA {@link #FIRST_LBA_4K} holding {@code esp}. A firmware that sees 512-byte sectors finds no
     * GPT in it (its LBA 1, byte 512, is zeros).
     */
    static Path disk4k(Path esp, Path disk) throws IOException {
        Files.deleteIfExists(disk);
        try (RandomAccessFile sparse = new RandomAccessFile(disk.toFile(), "rw")) {
            sparse.setLength(64L << 20);
        }
        long lastLba = FIRST_LBA_4K + SIZE / 4096 - 1;
        // fdisk's dialogue: new GPT, partition 1 from FIRST_LBA_4K to lastLba, type 1 (EFI System), write
        Path script = Files.writeString(disk.resolveSibling("fdisk.script"),
                "g\nn\n1\n" + FIRST_LBA_4K + "\n" + lastLba + "\nt\n1\nw\n");
        TOOLS.run(Command.of("fdisk", "-b", "4096", disk.toString()).stdinFrom(script));
        try (FileChannel in = FileChannel.open(esp); FileChannel out = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < SIZE) {
                at += in.transferTo(at, SIZE - at, out.position(FIRST_LBA_4K * 4096 + at));
            }
        }
        return disk;
    }
}
