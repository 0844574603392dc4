package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.model.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Qemu#drive4k} gives the guest a disk of 4096-byte logical sectors. Proof: a GPT laid out for 4096-byte
 * sectors (header at byte 4096) with GRUB + the stand-in kernel on a 4K FAT boots under OVMF from that drive, and
 * the same file as an ordinary (512-byte) virtio disk does not boot; SeaBIOS accepts the same drive form (the 4K disk
 * images themselves come with issue 14's disk-image work).
 */
@Tag("slow")
class FourKnDiskBootTest {

    @TempDir
    Path tmp;

    private Path kernel;
    private Path initramfs;

    @BeforeEach
    void standin() {
        Path amd64 = StandinRelease.version(StandinRelease.V1_11).resolve("usr/install/amd64");
        kernel = amd64.resolve("vmlinuz");
        initramfs = amd64.resolve("initramfs.xz");
    }

    @Test
    void ovmfBootsA4kGptDiskOnlyAsA4kDrive() throws Exception {
        String cmdline = "console=ttyS0 fourk.test=1";
        Path disk = GrubEsp.disk4k(GrubEsp.build(Arch.AMD64, 4096, kernel, initramfs, cmdline, tmp), tmp.resolve("4k.img"));

        JsonNode report = Qemu.machine().uefi(Ovmf.CODE, Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd")))
                .drive4k(disk, "raw").args("-net", "none").serialLog(tmp.resolve("serial.log")).run();
        assertEquals("BOOT_IMAGE=/vmlinuz " + cmdline, report.get("cmdline").asText());

        String serial = Qemu.machine().uefi(Ovmf.CODE, Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars-512.fd")))
                .drive(disk, "raw").args("-net", "none").timeout(Duration.ofSeconds(30))
                .serialLog(tmp.resolve("serial-512.log")).runExpectingNoReport();
        assertTrue(serial.lines().anyMatch(line -> line.contains("failed to load") && line.contains("UEFI Misc Device")
                && line.contains("Not Found")), "OVMF found nothing to boot on the 512-byte virtio disk:\n" + serial);
    }

    @Test
    void seabiosAcceptsThe4kDriveForm() throws Exception {
        Path disk = GrubEsp.disk4k(GrubEsp.build(Arch.AMD64, 4096, kernel, initramfs, "unused", tmp), tmp.resolve("4k.img"));

        JsonNode report = Qemu.kernelBoot(kernel, initramfs, "console=ttyS0 seabios.fourk=1").drive4k(disk, "raw")
                .serialLog(tmp.resolve("serial.log")).run();

        assertEquals("console=ttyS0 seabios.fourk=1", report.get("cmdline").asText());
    }
}
