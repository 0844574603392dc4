package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.model.Arch;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The project's first arm64 boots: the factory's arm64 artifacts of the v1.11 and v1.12 stand-ins (an arm64 Debian kernel, the
 * stand-in init as arm64 busybox) booted under qemu-system-aarch64 on the {@code virt} board with AAVMF, to the
 * stand-in init's report with the requested command line and the extension's arm64 module loaded. Three boots only:
 * AArch64 under TCG is slow (15–30 s each here, firmware included).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class Arm64BootTest {

    static final String SCHEMATIC = """
            customization:
              extraKernelArgs:
                - talos.dashboard.disabled=1
                - arm64.boot.test=1
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    /** metal arm64 for v1.11 by hand from spec §3: platform args (§3.3 arm64 column), defaults, then user args. */
    static final String CMDLINE = "talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge"
            + " pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1"
            + " talos.dashboard.disabled=1 arm64.boot.test=1";
    /**
     * The ISOs' UKI: halt_if_installed after the platform args, module.sig_enforce=1 from 1.12; Debian 12's stub
     * boots the last {@code .cmdline}, the reset profile's (see {@link IsoAssetsTest}).
     */
    static final Map<String, String> ISO_CMDLINE = Map.of(
            StandinRelease.V1_11, CMDLINE.replace(" console=tty0 ", " console=tty0 talos.halt_if_installed=1 ")
                    + IsoAssetsTest.RESET,
            StandinRelease.V1_12, CMDLINE.replace(" console=tty0 ", " console=tty0 talos.halt_if_installed=1 ")
                    .replace(" selinux=1 ", " selinux=1 module.sig_enforce=1 ") + IsoAssetsTest.RESET);

    @TempDir
    Path tmp;

    /**
     * v1.11's arm64 ISO is the hybrid layout, v1.12's (arm64 default) the UEFI-only one: either way AAVMF starts
     * systemd-boot (BOOTAA64.EFI) from the El Torito ESP, which boots the UKI.
     */
    @ParameterizedTest
    @ValueSource(strings = {StandinRelease.V1_11, StandinRelease.V1_12})
    void metalArm64IsoBootsUnderAavmf(String version) throws Exception {
        String base = base(version);
        Path iso = Files.write(tmp.resolve("metal-arm64.iso"), BootAssetsTest.get(base + "metal-arm64.iso"));

        JsonNode report = Qemu.machine(Arch.ARM64).aavmf(tmp).cdrom(iso).args("-net", "none")
                .timeout(Qemu.ARM64_TIMEOUT).serialLog(tmp.resolve("serial.log")).run();

        assertReport(report, ISO_CMDLINE.get(version));
        assertTrue(Files.readString(tmp.resolve("serial.log")).contains("Booting Linux on physical CPU"),
                "the kernel's console is on the board's own UART (ttyAMA0)");
    }

    private static String base(String version) {
        return "/image/" + BootAssetsTest.createSchematic(SCHEMATIC) + "/" + version + "/";
    }

    private static void assertReport(JsonNode report, String cmdline) {
        assertEquals(cmdline, report.get("cmdline").asText(), "booted with the requested command line");
        assertTrue(report.get("kernelRelease").asText().endsWith("-arm64"), report.toString());
        assertEquals(List.of("dummy-module", "schematic", "modules.dep"),
                report.get("extensions").findValuesAsText("name"));
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        List<String> modules = new java.util.ArrayList<>();
        report.get("modules").forEach(module -> modules.add(module.asText()));
        assertEquals(List.of("dummy"), modules, "the extension's arm64 dummy.ko loaded");
        assertFalse(report.get("secureBoot").asBoolean(), report.toString());
        assertEquals(0, report.get("errors").size(), report.toString());
    }
}
