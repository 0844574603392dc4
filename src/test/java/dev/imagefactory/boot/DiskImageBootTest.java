package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Served disk images boot (issue 14): every layout under the firmware it is for, to the stand-in init's report with
 * the image's cmdline and the schematic's extension. Debian 12's systemd-stub (252) predates UKI profiles and boots
 * the last {@code .cmdline} of the UKI, the {@code reset-maintenance} profile's (see IsoAssetsTest), so boots through
 * systemd-boot report the cmdline plus {@link #RESET}.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class DiskImageBootTest {

    static final String RESET = " talos.experimental.wipe=system:EPHEMERAL,STATE";
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);

    static String schematic(String marker, String extra) {
        return """
                customization:
                  extraKernelArgs: [disk.test=%s]
                  systemExtensions:
                    officialExtensions: [standin/dummy-module]
                %s""".formatted(marker, extra);
    }

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path tmp;

    @Test
    void dualBootImageBootsUnderOvmfThroughSystemdBootAndUnderSeaBiosThroughGrub() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(schematic("dual", ""));
        String cmdline = cmdline(id, v, "metal-amd64");
        Path disk = download(id, v, "metal-amd64.raw");
        assertEquals(4453302272L, Files.size(disk), "1246 + 1000 + 2001 MiB (spec §6.1)");

        List<JsonNode> reports = ovmfAndSeaBios(disk);
        checkReport(reports.get(0), cmdline + RESET);
        checkReport(reports.get(1), "BOOT_IMAGE=/A/vmlinuz " + cmdline); // GRUB's linux command puts it first
    }

    @Test
    void grubImageOfTalosBeforeOneTenBootsUnderOvmfAndSeaBios() throws Exception {
        String v = StandinRelease.V1_7;
        String id = BootAssetsTest.createSchematic(schematic("grub", ""));
        String cmdline = cmdline(id, v, "metal-amd64");
        Path disk = download(id, v, "metal-amd64.raw");
        assertEquals(1306525696L, Files.size(disk), "1246 MiB (spec §6.1)");

        List<JsonNode> reports = ovmfAndSeaBios(disk);
        checkReport(reports.get(0), "BOOT_IMAGE=/A/vmlinuz " + cmdline); // GRUB EFI
        checkReport(reports.get(1), "BOOT_IMAGE=/A/vmlinuz " + cmdline); // GRUB's linux command puts it first
    }

    @Test
    void sdBootImageBootsUnderOvmf() throws Exception {
        String v = StandinRelease.V1_12;
        String id = BootAssetsTest.createSchematic(schematic("sdboot", "  bootloader: sd-boot\n"));
        Path disk = download(id, v, "metal-amd64.raw");
        assertEquals(2355101696L, Files.size(disk), "1246 + 1000 MiB");
        JsonNode uefi = Qemu.machine().uefi(Ovmf.CODE, Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd")))
                .drive(disk, "raw").args("-net", "none").timeout(BOOT_TIMEOUT).serialLog(tmp.resolve("ovmf.log")).run();
        checkReport(uefi, cmdline(id, v, "metal-amd64") + RESET);
    }

    @Test
    void qcow2BootsFromTheQcow2Itself() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(schematic("qcow2", ""));
        Path disk = download(id, v, "metal-amd64.qcow2");
        String info = DiskImages.TOOLS.run(dev.imagefactory.tools.ProcessRunner.Command.of("qemu-img", "info",
                "--output=json", disk.toString())).stdout();
        assertTrue(info.contains("\"format\": \"qcow2\"") && info.contains("\"cluster-size\": 8192"), info);
        JsonNode bios = Qemu.machine().drive(disk, "qcow2").args("-net", "none").timeout(BOOT_TIMEOUT)
                .serialLog(tmp.resolve("seabios.log")).run();
        checkReport(bios, "BOOT_IMAGE=/A/vmlinuz " + cmdline(id, v, "metal-amd64"));
    }

    @Test
    void fourKibSectorImageBootsFromAFourKibLogicalBlockDisk() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(schematic("4k", "  diskImage:\n    sectorSize: 4096\n"));
        Path disk = download(id, v, "metal-amd64.raw");
        JsonNode uefi = Qemu.machine().uefi(Ovmf.CODE, Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd")))
                .drive4k(disk, "raw").args("-net", "none")
                .timeout(BOOT_TIMEOUT).serialLog(tmp.resolve("ovmf-4k.log")).run();
        checkReport(uefi, cmdline(id, v, "metal-amd64") + RESET);
    }

    /** The project's first arm64 disk: sd-boot + UKI on the ESP (arm64's layout from 1.10), under AAVMF. */
    @Test
    void arm64ImageBootsUnderAavmf() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(schematic("arm64", ""));
        Path disk = download(id, v, "metal-arm64.raw");
        JsonNode report = Qemu.machine(dev.imagefactory.model.Arch.ARM64).aavmf(tmp).drive(disk, "raw")
                .args("-net", "none").timeout(Qemu.ARM64_TIMEOUT).serialLog(tmp.resolve("aavmf.log")).run();
        assertEquals(cmdline(id, v, "metal-arm64") + RESET, report.get("cmdline").asText(), report.toString());
        assertTrue(report.get("kernelRelease").asText().endsWith("-arm64"), report.toString());
        assertEquals("dummy", report.get("modules").get(0).asText(), report.toString());
        assertEquals(0, report.get("errors").size(), report.toString());
    }

    @Test
    void secureBootImageEnrollsOurKeysInSetupModeThenBootsEnforced() throws Exception {
        String v = StandinRelease.V1_11;
        // Debian's systemd-boot 252 knows off/manual/force; if-safe arrived in 253
        String id = BootAssetsTest.createSchematic(schematic("sb", "  secureboot:\n    enrollKeys: force\n"));
        Path disk = download(id, v, "metal-amd64-secureboot.raw");
        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));
        String enrollment = secureBootMachine(vars, disk, "enroll").runExpectingNoReport();
        assertTrue(enrollment.contains("nroll") || enrollment.contains("Reset"),
                "systemd-boot enrolls and resets:\n" + enrollment.substring(Math.max(0, enrollment.length() - 3000)));
        JsonNode report = secureBootMachine(vars, disk, "after-enroll").run();
        assertTrue(report.get("secureBoot").asBoolean(), "Secure Boot is enforced after enrollment: " + report);
        assertTrue(report.get("cmdline").asText().contains("lockdown=confidentiality"), report.toString());
        assertEquals("dummy", report.get("modules").get(0).asText());
    }

    private Qemu secureBootMachine(Path vars, Path disk, String name) {
        return Qemu.machine().secureBootMachine().uefi(Ovmf.SECBOOT_CODE, vars).drive(disk, "raw")
                .args("-net", "none").timeout(BOOT_TIMEOUT).serialLog(tmp.resolve(name + "-serial.log"));
    }

    /** The image booted under OVMF and under SeaBIOS at once (both read it; their writes go to overlays). */
    private List<JsonNode> ovmfAndSeaBios(Path disk) throws IOException {
        return Qemu.runTogether(
                Qemu.machine().uefi(Ovmf.CODE, Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd")))
                        .sharedDrive(disk, "raw").args("-net", "none").timeout(BOOT_TIMEOUT)
                        .serialLog(tmp.resolve("ovmf.log")),
                Qemu.machine().sharedDrive(disk, "raw").args("-net", "none").timeout(BOOT_TIMEOUT)
                        .serialLog(tmp.resolve("seabios.log")));
    }

    private Path download(String id, String v, String path) throws Exception {
        return DiskImages.download(base.resolve("/image/" + id + "/" + v + "/" + path), tmp.resolve(path));
    }

    /** The platform's cmdline as the cmdline asset serves it (the schematics here carry no META). */
    static String cmdline(String id, String v, String platformArch) {
        return given().get("/image/" + id + "/" + v + "/cmdline-" + platformArch).then().statusCode(200).extract()
                .asString();
    }

    static void checkReport(JsonNode report, String cmdline) {
        assertEquals(cmdline, report.get("cmdline").asText(), report.toString());
        List<String> names = report.get("extensions").findValuesAsText("name");
        assertTrue(names.contains("dummy-module"), report.toString());
        assertEquals("dummy", report.get("modules").get(0).asText(), report.toString());
        assertEquals(0, report.get("errors").size(), report.toString());
    }
}
