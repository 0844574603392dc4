package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** The served UKI: sections in the spec's order, the schematic's cached initramfs reused, and it boots under OVMF. */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class UkiAssetsTest {


    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @Test
    void servedUkiHasTheSpecSectionsAndBootsUnderOvmf() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - uki.test=1\n"));
        String base = "/image/" + id + "/" + v + "/";
        byte[] initramfs = given().get(base + "initramfs-amd64.xz").then().statusCode(200).extract().asByteArray();
        double initramfsBuilds = BootAssetsTest.builtCount("initramfs");
        Path uki = Files.write(tmp.resolve("metal-amd64-uki.efi"),
                given().get(base + "metal-amd64-uki.efi").then().statusCode(200)
                        .header("Content-Type", "application/efi").extract().asByteArray());
        assertEquals(initramfsBuilds, BootAssetsTest.builtCount("initramfs"), "the cached initramfs is reused");

        String objdump = tools.run(Command.of("objdump", "-h", uki.toString())).stdout();
        List<String> appended = objdump.lines().map(String::trim).filter(l -> l.matches("\\d+ \\.\\S+ .*"))
                .map(l -> l.split("\\s+")[1]).dropWhile(n -> !n.equals(".osrel")).toList();
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".linux", ".initrd", ".profile"), appended, objdump);
        Path initrdSection = tmp.resolve("initrd");
        tools.run(Command.of("objcopy", "-O", "binary", "--only-section=.initrd", uki.toString(), initrdSection.toString()));
        assertTrue(java.util.Arrays.equals(initramfs, Files.readAllBytes(initrdSection)), "the .initrd is the served initramfs");

        // no META in a UKI (spec §3.5); the extra args are in, as for every Talos >= 1.10 UKI
        String expected = BootAssetsTest.EXPECTED_CMDLINE.get(v)
                .replace(" talos.environment=INSTALLER_META_BASE64=" + BootAssetsTest.META_B64, "") + " uki.test=1";
        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));
        JsonNode report = Qemu.machine().uefi(Ovmf.CODE, vars).drive(EspImage.withLoader(uki, tmp.resolve("esp.img")), "raw")
                .timeout(Duration.ofSeconds(150)).serialLog(tmp.resolve("serial.log")).run();
        assertEquals(expected, report.get("cmdline").asText());
        assertEquals(List.of("intel-ucode", "dummy-module", "usr-local-tools", "schematic", "modules.dep"),
                report.get("extensions").findValuesAsText("name"));
        assertEquals("dummy", report.get("modules").get(0).asText());
        assertTrue(report.get("meta").isNull(), report.toString());
    }
}
