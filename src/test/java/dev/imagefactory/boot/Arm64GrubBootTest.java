package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.model.Arch;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's arm64-efi GRUB as scripts/fetch-grub-arm64 unpacks it (build/disk/GrubArm64.MODULES) is a working GRUB:
 * grub-mkimage makes a BOOTAA64.EFI of it that AAVMF runs, and it boots the stand-in release's arm64 kernel and
 * initramfs from a FAT ESP to the stand-in init's report. Fails, naming the script, when the modules are missing.
 */
@Tag("slow")
class Arm64GrubBootTest {

    @TempDir
    Path tmp;

    @Test
    void fetchedArm64GrubBootsTheArm64StandinUnderAavmf() throws Exception {
        Path arm64 = StandinRelease.version(StandinRelease.V1_7).resolve("usr/install/arm64");
        String cmdline = "console=ttyAMA0 grub.arm64.test=1";
        Path esp = GrubEsp.build(Arch.ARM64, 512, arm64.resolve("vmlinuz"), arm64.resolve("initramfs.xz"), cmdline, tmp);

        JsonNode report = Qemu.machine(Arch.ARM64).aavmf(tmp).drive(esp, "raw").args("-net", "none")
                .timeout(Qemu.ARM64_TIMEOUT).serialLog(tmp.resolve("serial.log")).run();

        assertEquals("BOOT_IMAGE=/vmlinuz " + cmdline, report.get("cmdline").asText(), "GRUB's linux command line");
        assertEquals(StandinRelease.kernelRelease(StandinRelease.V1_7, "arm64"), report.get("kernelRelease").asText());
        assertEquals(0, report.get("errors").size(), report.toString());
    }
}
