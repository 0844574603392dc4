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
 * The GRUB pieces boot: a GPT disk (laid out by sfdisk, not by our GPT code) with the FAT ESP holding our GRUB EFI
 * image, the BIOS partition filled by {@link GrubDiskBoot#installBios}, and BOOT an {@link XfsImage} whose
 * grub/grub.cfg says {@code halt}. GRUB finds that file only through its prefix (hd0,gpt3)/grub, so QEMU powering
 * off by itself (no -no-reboot: a crash resets and loops until the timeout) proves boot.img → core.img (BIOS) or the
 * EFI image (UEFI) → BOOT's XFS → grub.cfg.
 */
@Tag("slow")
class GrubDiskBootQemuTest {

    private static final long EFI_LBA = 2048;
    private static final long EFI_SECTORS = 40 * MIB / 512;
    private static final long BIOS_LBA = EFI_LBA + EFI_SECTORS;
    private static final long BOOT_LBA = BIOS_LBA + 2048;
    private static final long BOOT_SECTORS = 1000 * MIB / 512;
    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    static Path tmp;
    static Path disk;

    @BeforeAll
    static void buildDisk() throws Exception {
        disk = tmp.resolve("disk.raw");
        try (RandomAccessFile raw = new RandomAccessFile(disk.toFile(), "rw")) {
            raw.setLength((BOOT_LBA + BOOT_SECTORS + 2048) * 512);
        }
        Path layout = tmp.resolve("layout.sfdisk");
        Files.writeString(layout, "label: gpt\nfirst-lba: 2048\n"
                + "1 : start=" + EFI_LBA + ", size=" + EFI_SECTORS + ", type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
                + "2 : start=" + BIOS_LBA + ", size=2048, type=21686148-6449-6E6F-744E-656564454649,"
                + " attrs=LegacyBIOSBootable\n"
                + "3 : start=" + BOOT_LBA + ", size=" + BOOT_SECTORS + ", type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n");
        FsTestTrees.TOOLS.run(dev.imagefactory.tools.ProcessRunner.Command.of("sfdisk", "-q", disk.toString())
                .stdinFrom(layout));

        Path esp = tmp.resolve("esp");
        Files.createDirectories(esp.resolve("EFI/boot"));
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.AMD64, esp.resolve("EFI/boot/BOOTX64.efi"));
        Path efiImage = tmp.resolve("EFI.img");
        FatImage.build(FsTestTrees.TOOLS, efiImage, EFI_SECTORS * 512, 512, "EFI", esp);

        Path boot = tmp.resolve("boot");
        file(boot, "grub/grub.cfg", "set timeout=0\necho booted from BOOT\nhalt\n".getBytes(StandardCharsets.US_ASCII),
                "rw-r--r--");
        Path bootImage = tmp.resolve("BOOT.img");
        XfsImage.build(FsTestTrees.TOOLS, bootImage, BOOT_SECTORS * 512, 512, "BOOT",
                UUID.fromString("24c73076-4092-85dd-9d98-686a2dbf6d81"), Quirks.of(TalosVersion.parse("v1.13.0")), boot);

        copyInto(efiImage, EFI_LBA * 512);
        copyInto(bootImage, BOOT_LBA * 512);
        Path core = tmp.resolve("core.img");
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, core);
        GrubDiskBoot.installBios(disk, core, BIOS_LBA, 512);
        // the table is still what sfdisk wrote
        String dump = FsTestTrees.run("sfdisk", "--dump", disk.toString());
        assertTrue(java.util.regex.Pattern.compile("start=\\s+" + BIOS_LBA + ", size=\\s+2048, type=21686148")
                .matcher(dump).find(), dump);
    }

    private static void copyInto(Path image, long offset) throws Exception {
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
        assertPowersOff(List.of());
    }

    @Test
    void uefiBootsTheGrubEfiImageAndReadsBootsXfs() throws Exception {
        Path vars = tmp.resolve("OVMF_VARS.fd");
        Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertPowersOff(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars));
    }

    private static void assertPowersOff(List<String> firmware) throws Exception {
        Path overlay = tmp.resolve("run-" + System.nanoTime() + ".qcow2");
        FsTestTrees.run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", disk.toString(),
                overlay.toString());
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
                "-m", "256", "-display", "none", "-serial", "null", "-monitor", "none", "-nodefaults",
                "-drive", "file=" + overlay + ",format=qcow2,if=virtio"));
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
