package dev.imagefactory.build.uki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.boot.EspImage;
import dev.imagefactory.boot.Ovmf;
import dev.imagefactory.boot.Qemu;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * An unsigned UKI of the stand-in release boots in QEMU with OVMF: the firmware starts it as the removable-media
 * loader of a FAT ESP, the systemd stub hands its .linux, .initrd and .cmdline to the kernel, and the stand-in init
 * reports the command line it got.
 */
@Tag("slow")
class UkiBootTest {

    static final String CMDLINE = "console=ttyS0 talos.platform=metal uki.test=boot";

    @TempDir
    Path tmp;

    @Test
    void bootsWithOvmfAndTheCmdlineSection() throws Exception {
        assertTrue(Files.isRegularFile(Ovmf.CODE) && Files.isRegularFile(Ovmf.EMPTY_VARS),
                "OVMF is missing (Debian: apt-get install ovmf; .ci/run installs it)");
        Path uki = tmp.resolve("uki.efi");
        List<Section> sections = new UkiBuilder().build(UkiInputs.of(Fixtures.stub(), Fixtures.kernel(),
                Fixtures.initramfs(), CMDLINE, Fixtures.VERSION, Quirks.of(TalosVersion.parse(Fixtures.VERSION))), uki);
        String cmdlineSection = new String(sections.stream().filter(s -> s.name().equals(".cmdline")).findFirst()
                .orElseThrow().content().readAllBytes(), StandardCharsets.UTF_8);

        // A FAT ESP (no partition table) with the UKI as the removable-media loader, made without mounting.
        Path esp = EspImage.withLoader(uki, tmp.resolve("esp.img"));

        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("OVMF_VARS_4M.fd"));
        JsonNode report = Qemu.machine()
                .uefi(Ovmf.CODE, vars)
                .drive(esp, "raw")
                .timeout(Duration.ofSeconds(120))
                .serialLog(tmp.resolve("serial.log"))
                .run();

        assertEquals(cmdlineSection, report.get("cmdline").asText(), "the kernel got the .cmdline section");
        assertEquals(CMDLINE, cmdlineSection);
        String uname = new String(sections.stream().filter(s -> s.name().equals(".uname")).findFirst()
                .orElseThrow().content().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(report.get("kernelRelease").asText(), uname, ".uname is the running kernel's release");
        assertFalse(report.get("secureBoot").asBoolean());
        assertEquals(0, report.get("errors").size(), report.toString());
    }
}
