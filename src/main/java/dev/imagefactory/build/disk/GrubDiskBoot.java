package dev.imagefactory.build.disk;

import dev.imagefactory.bootargs.GrubLinuxArgs;
import dev.imagefactory.build.iso.IsoTools;
import dev.imagefactory.model.Arch;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ToolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * GRUB for disk images (talos-imager.md §6.3): the EFI binary for the EFI partition, the BIOS {@code core.img}, the
 * blocklist patches that let the MBR code find it without grub-install (no root, no device), and BOOT's grub.cfg.
 * Both images read their config from {@code (hd0,gpt3)/grub}, the BOOT partition.
 *
 * <p>The patched LBAs count in the disk's sectors, but core.img's blocklist length counts 512-byte sectors and
 * "first LBA + 1" is meant to be core.img's second 512 bytes: on a 4096-byte-sector disk that is core.img's byte
 * 4096. Like Talos, installBios writes it anyway; such a disk did not BIOS-boot under SeaBIOS in our test (it boots
 * under UEFI), so BIOS boot is for 512-byte-sector disks.
 */
public final class GrubDiskBoot {

    /** Where the GRUB platforms live ({@code i386-pc}, {@code x86_64-efi}, {@code arm64-efi}). */
    public static final Path GRUB_LIB = IsoTools.GRUB_LIB;
    static final String PREFIX = "(hd0,gpt3)/grub";
    static final List<String> MODULES = List.of("part_gpt", "ext2", "fat", "xfs", "normal", "configfile", "linux",
            "boot", "search", "search_fs_uuid", "search_fs_file", "ls", "cat", "echo", "test", "help", "reboot", "halt",
            "all_video");
    static final Path BOOT_IMG = GRUB_LIB.resolve("i386-pc").resolve("boot.img");

    /** boot.img: where core.img's first sector is (LE64), and the drive check jump that GPT installs NOP out. */
    static final int BOOT_KERNEL_SECTOR = 0x5C;
    static final int BOOT_DRIVE_CHECK = 0x66;
    /** core.img (diskboot): the first blocklist entry's start sector (LE64): the rest of core.img. */
    static final int CORE_BLOCKLIST_START = 0x1F4;
    /** The MBR boot code; the partition table (the protective MBR's) and signature follow it. */
    static final int MBR_CODE_BYTES = 446;
    /** The BIOS partition of every layout is 1 MiB (§6.3); core.img must fit in it. */
    static final long BIOS_PARTITION_BYTES = 1 << 20;

    private static final Pattern VERSION_TAG = Pattern.compile("[A-Za-z0-9._+-]+");

    private GrubDiskBoot() {
    }

    /**
     * {@code grub-mkimage --format x86_64-efi|arm64-efi --prefix (hd0,gpt3)/grub --compression xz <modules>}, as
     * Talos runs it. (GRUB 2.06 compresses only i386-pc images: the EFI image is the same bytes without the option.)
     */
    public static void efiImage(ProcessRunner runner, Arch arch, Path out) {
        String format = switch (arch) {
            case AMD64 -> "x86_64-efi";
            case ARM64 -> "arm64-efi";
        };
        mkimage(runner, format, out, List.of("--compression", "xz"), MODULES);
    }

    /** {@code grub-mkimage --format i386-pc --prefix (hd0,gpt3)/grub <modules> biosdisk part_msdos} → core.img. */
    public static void coreImage(ProcessRunner runner, Path out) {
        List<String> modules = new ArrayList<>(MODULES);
        modules.addAll(List.of("biosdisk", "part_msdos"));
        mkimage(runner, "i386-pc", out, List.of(), modules);
    }

    private static void mkimage(ProcessRunner runner, String format, Path out, List<String> options,
            List<String> modules) {
        // arm64-efi is not under /usr/lib/grub on amd64 hosts (see GrubArm64)
        Path directory = format.equals("arm64-efi") ? GrubArm64.MODULES : GRUB_LIB.resolve(format);
        if (!Files.isRegularFile(directory.resolve("moddep.lst"))) {
            throw new ToolException("GRUB for " + format + " is not installed: no " + directory.resolve("moddep.lst")
                    + (format.equals("arm64-efi") ? " (scripts/fetch-grub-arm64 unpacks it)"
                            : " (Debian: grub-pc-bin, grub-efi-amd64-bin)"));
        }
        List<String> args = new ArrayList<>(List.of("grub-mkimage", "--directory=" + directory, "--format", format,
                "--output", out.toString(), "--prefix", PREFIX));
        args.addAll(options);
        args.addAll(modules);
        runner.run(Command.of(args));
    }

    /**
     * Writes the BIOS boot code into {@code disk} as grub-install would on a GPT disk (Talos' blocklist.go): core.img
     * at the BIOS partition's first byte, its first blocklist pointed at {@code biosFirstLba + 1}; the first 446
     * bytes of Debian's boot.img, pointed at {@code biosFirstLba} and with its drive check jump NOP'd, at byte 0.
     * The rest of sector 0 (the protective MBR's table and signature) and everything else stays as it is.
     */
    public static void installBios(Path disk, Path coreImg, long biosFirstLba, int sectorSize) throws IOException {
        byte[] core = Files.readAllBytes(coreImg);
        if (core.length < CORE_BLOCKLIST_START + 8 || core.length > BIOS_PARTITION_BYTES) {
            throw new IllegalArgumentException(coreImg + " is " + core.length
                    + " bytes: not a core.img that fits the 1 MiB BIOS partition");
        }
        byte[] boot = Files.readAllBytes(BOOT_IMG);
        if (boot.length != 512 || (boot[510] & 0xff) != 0x55 || (boot[511] & 0xff) != 0xAA) {
            throw new IllegalStateException(BOOT_IMG + " is not a 512-byte boot sector");
        }
        ByteBuffer.wrap(core).order(ByteOrder.LITTLE_ENDIAN).putLong(CORE_BLOCKLIST_START, biosFirstLba + 1);
        ByteBuffer.wrap(boot).order(ByteOrder.LITTLE_ENDIAN).putLong(BOOT_KERNEL_SECTOR, biosFirstLba);
        boot[BOOT_DRIVE_CHECK] = (byte) 0x90;
        boot[BOOT_DRIVE_CHECK + 1] = (byte) 0x90;
        try (FileChannel channel = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            long coreOffset = Math.multiplyExact(biosFirstLba, (long) sectorSize);
            if (coreOffset < sectorSize || coreOffset + core.length > channel.size()) {
                throw new IllegalArgumentException("a BIOS partition at LBA " + biosFirstLba
                        + " does not lie inside " + disk);
            }
            writeFully(channel, ByteBuffer.wrap(core), coreOffset);
            writeFully(channel, ByteBuffer.wrap(boot, 0, MBR_CODE_BYTES), 0);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long offset) throws IOException {
        long position = offset;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }

    /**
     * The BOOT partition's {@code grub/grub.cfg} (Talos {@code bootloader/grub/encode.go}, image mode: one entry
     * "A", no fallback): the entry boots {@code /A/vmlinuz} with {@code cmdline} as {@link GrubLinuxArgs} writes it;
     * with {@code resetEntry} (quirk SupportsResetGRUBOption) a second entry adds
     * {@code talos.experimental.wipe=system:EPHEMERAL,STATE}.
     *
     * @param versionTag the Talos version as the menu shows it, e.g. {@code v1.9.5}
     * @throws dev.imagefactory.bootargs.UnwritableKernelArgException (400) for an argument GRUB cannot carry
     */
    public static String config(String versionTag, String cmdline, boolean resetEntry) {
        if (!VERSION_TAG.matcher(versionTag).matches()) {
            throw new IllegalArgumentException("\"" + versionTag + "\" is not a version tag");
        }
        String args = GrubLinuxArgs.words(cmdline);
        String name = "A - Talos " + versionTag;
        StringBuilder cfg = new StringBuilder()
                .append("set default=\"").append(name).append("\"\n\n")
                .append("set timeout=3\n\n")
                .append("insmod all_video\n\n")
                .append("terminal_input console\n")
                .append("terminal_output console\n\n")
                .append(entry(name, args));
        if (resetEntry) {
            cfg.append(entry("Reset Talos installation and return to maintenance mode",
                    args + " talos.experimental.wipe=system:EPHEMERAL,STATE"));
        }
        return cfg.toString();
    }

    private static String entry(String title, String args) {
        return "menuentry \"" + title + "\" {\n"
                + "  set gfxmode=auto\n"
                + "  set gfxpayload=text\n"
                + "  linux /A/vmlinuz " + args + "\n"
                + "  initrd /A/initramfs.xz\n"
                + "}\n";
    }
}
