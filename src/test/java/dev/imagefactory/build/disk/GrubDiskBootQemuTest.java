package dev.imagefactory.build.disk;

import static dev.imagefactory.build.disk.FsTestTrees.MIB;
import static dev.imagefactory.build.disk.FsTestTrees.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GRUB pieces boot: a GPT disk (laid out by fdisk, not by our GPT code) with the FAT ESP holding our GRUB EFI
 * image, the BIOS partition filled by {@link GrubDiskBoot#installBios}, and BOOT an {@link XfsImage} whose
 * grub/grub.cfg says {@code halt}. GRUB finds that file only through its prefix (hd0,gpt3)/grub, so QEMU powering
 * off by itself (no -no-reboot: a crash resets and loops until the timeout) proves boot.img → core.img (BIOS) or the
 * EFI image (UEFI) → BOOT's XFS → grub.cfg.
 */
@Tag("slow")
class GrubDiskBootQemuTest {

    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    static Path tmp;
    static Path disk512;
    static Path disk4k;

    @BeforeAll
    static void buildDisks() throws Exception {
        // 512: a 40 MiB ESP (FAT32 with 1 KiB clusters); 4096: the 1101 MiB ESP of sd-boot/dual-boot layouts
        disk512 = buildDisk(512, 40 * MIB);
        disk4k = buildDisk(4096, 1101 * MIB);
    }

    /** EFI at 1 MiB, BIOS (1 MiB) right after it, BOOT (1000 MiB) after that, as in the grub/dual-boot layouts. */
    private static Path buildDisk(int sectorSize, long efiBytes) throws Exception {
        long mib = MIB / sectorSize;
        long efiLba = mib;
        long biosLba = efiLba + efiBytes / sectorSize;
        long bootLba = biosLba + mib;
        long bootBytes = 1000 * MIB;
        Path dir = Files.createDirectories(tmp.resolve("disk" + sectorSize));
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile raw = new RandomAccessFile(disk.toFile(), "rw")) {
            raw.setLength(bootLba * sectorSize + bootBytes + MIB);
        }
        // fdisk: sfdisk writes a 512-byte-sector table into a file whatever its script says
        Path commands = dir.resolve("fdisk.commands");
        Files.writeString(commands, String.join("\n", "g",
                "n", "1", Long.toString(efiLba), Long.toString(biosLba - 1), "t", "1",
                "n", "2", Long.toString(biosLba), Long.toString(bootLba - 1), "t", "2", "4",
                "n", "3", Long.toString(bootLba), Long.toString(bootLba + bootBytes / sectorSize - 1),
                "w", ""));
        FsTestTrees.TOOLS.run(dev.imagefactory.tools.ProcessRunner.Command.of("fdisk", "-b",
                Integer.toString(sectorSize), disk.toString()).stdinFrom(commands));

        Path esp = dir.resolve("esp");
        Files.createDirectories(esp.resolve("EFI/boot"));
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.AMD64, esp.resolve("EFI/boot/BOOTX64.efi"));
        Path efiImage = dir.resolve("EFI.img");
        FatImage.build(FsTestTrees.TOOLS, efiImage, efiBytes, sectorSize, "EFI", esp);

        Path boot = dir.resolve("boot");
        file(boot, "grub/grub.cfg", "set timeout=0\necho booted from BOOT\nhalt\n".getBytes(StandardCharsets.US_ASCII),
                "rw-r--r--");
        Path bootImage = dir.resolve("BOOT.img");
        XfsImage.build(FsTestTrees.TOOLS, bootImage, bootBytes, sectorSize, "BOOT",
                UUID.fromString("24c73076-4092-85dd-9d98-686a2dbf6d81"), Quirks.of(TalosVersion.parse("v1.13.0")), boot);

        copyInto(disk, efiImage, efiLba * sectorSize);
        copyInto(disk, bootImage, bootLba * sectorSize);
        Path core = dir.resolve("core.img");
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, core);
        GrubDiskBoot.installBios(disk, core, biosLba, sectorSize);
        // the partition table is still what fdisk wrote
        String table = FsTestTrees.run("fdisk", "-b", Integer.toString(sectorSize), "-l", disk.toString());
        assertTrue(java.util.regex.Pattern.compile("2\\s+" + biosLba + "\\s+" + (bootLba - 1) + "\\s+" + mib
                + "\\s+1M BIOS boot").matcher(table).find(), table);
        return disk;
    }

    private static void copyInto(Path disk, Path image, long offset) throws Exception {
        try (FileChannel in = FileChannel.open(image); FileChannel out = FileChannel.open(disk,
                StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < in.size()) {
                done += in.transferTo(done, in.size() - done, out.position(offset + done));
            }
        }
    }

    @Test
    void biosBootsGrubFromTheBiosPartitionAndReadsBootsXfs() throws Exception {
        assertPowersOff(disk512, 512, List.of());
    }

    @Test
    void uefiBootsTheGrubEfiImageAndReadsBootsXfs() throws Exception {
        assertPowersOff(disk512, 512, ovmf());
    }

    /** The 4K-sector FAT32 and XFS on a disk with 4096-byte logical blocks, read by OVMF and GRUB. */
    @Test
    void uefiBootsFrom4kSectorDisk() throws Exception {
        assertPowersOff(disk4k, 4096, ovmf());
    }

    private static List<String> ovmf() throws Exception {
        Path vars = tmp.resolve("OVMF_VARS-" + System.nanoTime() + ".fd");
        Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars);
        return List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars);
    }

    private static void assertPowersOff(Path disk, int sectorSize, List<String> firmware) throws Exception {
        Path overlay = tmp.resolve("run-" + System.nanoTime() + ".qcow2");
        FsTestTrees.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", disk.toString(),
                overlay.toString());
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
                "-m", "256", "-display", "none", "-serial", "null", "-monitor", "none", "-nodefaults",
                "-drive", "if=none,id=disk,format=qcow2,file=" + overlay,
                "-device", "virtio-blk-pci,drive=disk,logical_block_size=" + sectorSize
                        + ",physical_block_size=" + sectorSize));
        command.addAll(firmware);
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("qemu-" + System.nanoTime() + ".log").toFile()).start();
        try {
            assertTrue(qemu.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    "GRUB did not power the machine off within " + TIMEOUT_SECONDS + " s: " + command);
            assertEquals(0, qemu.exitValue());
        } finally {
            qemu.destroyForcibly();
        }
    }
}
