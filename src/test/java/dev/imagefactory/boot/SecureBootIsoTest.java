package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/**
 * The SecureBoot ISO (issue 5): UEFI-only, signed systemd-boot and UKI, our certificate and PK/KEK/db .auth files
 * on the ESP. Booted under OVMF with Secure Boot support and EMPTY variables (setup mode), systemd-boot enrolls the
 * keys and resets; the next boot runs the signed UKI with Secure Boot enforced. It also boots directly on firmware
 * that already trusts the (snakeoil) key the factory signs with.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class SecureBootIsoTest {


    /** Debian's systemd-boot 252 knows off/manual/force; if-safe arrived in 253. */
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [sb.iso=1]
              secureboot:
                enrollKeys: force
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @Test
    void setupModeFirmwareEnrollsOurKeysThenBootsTheSignedUkiWithSecureBoot() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path iso = Files.write(tmp.resolve("sb.iso"), given().get("/image/" + id + "/" + v + "/metal-amd64-secureboot.iso")
                .then().statusCode(200).extract().asByteArray());
        Path cert = Files.write(tmp.resolve("cert.pem"), given().get("/secureboot/signing-cert.pem").then()
                .statusCode(200).extract().asByteArray());

        IsoImage image = new IsoImage(iso);
        Path esp = image.extractEsp(tmp.resolve("esp.img")).orElseThrow();
        String listing = tools.run(Command.of("mdir", "-i", esp.toString(), "-/", "-b", "::")).stdout();
        for (String file : List.of("::/EFI/BOOT/BOOTX64.EFI", "::/EFI/Linux/Talos-" + v + ".efi",
                "::/EFI/keys/uki-signing-cert.der", "::/loader/loader.conf", "::/loader/keys/auto/PK.auth",
                "::/loader/keys/auto/KEK.auth", "::/loader/keys/auto/db.auth")) {
            assertTrue(listing.contains(file), file + " on the ESP:\n" + listing);
        }
        Path conf = tmp.resolve("loader.conf");
        tools.run(Command.of("mcopy", "-i", esp.toString(), "::/loader/loader.conf", conf.toString()));
        assertEquals("# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll force\n", Files.readString(conf));
        for (String efi : List.of("EFI/BOOT/BOOTX64.EFI", "EFI/Linux/Talos-" + v + ".efi")) {
            Path out = tmp.resolve(efi.replace('/', '_'));
            tools.run(Command.of("mcopy", "-i", esp.toString(), "::/" + efi, out.toString()));
            tools.run(Command.of("sbverify", "--cert", cert.toString(), out.toString()));
        }
        Path der = tmp.resolve("cert.der");
        tools.run(Command.of("mcopy", "-i", esp.toString(), "::/EFI/keys/uki-signing-cert.der", der.toString()));
        assertArrayEquals(derOf(cert), Files.readAllBytes(der), "the ESP carries the certificate the factory serves");

        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));
        String enrollment = machine(Ovmf.SECBOOT_CODE, vars, iso, "enroll").timeout(Duration.ofSeconds(120)).runExpectingNoReport();
        assertTrue(enrollment.contains("Enrolling secure boot keys") || enrollment.contains("enroll")
                || enrollment.contains("Reset"), "systemd-boot enrolls and resets:\n" + tail(enrollment));
        JsonNode report = machine(Ovmf.SECBOOT_CODE, vars, iso, "after-enroll").run();
        assertTrue(report.get("secureBoot").asBoolean(), "Secure Boot is enforced after enrollment: " + report);
        assertTrue(report.get("cmdline").asText().contains("lockdown=confidentiality"), report.toString());
        assertEquals("dummy", report.get("modules").get(0).asText());
    }

    @Test
    void bootsOnFirmwareThatAlreadyTrustsTheFactoryKey() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC.replace("sb.iso=1", "sb.iso=2"));
        Path iso = Files.write(tmp.resolve("sb.iso"), given().get("/image/" + id + "/" + StandinRelease.V1_12
                + "/metal-amd64-secureboot.iso").then().statusCode(200).extract().asByteArray());
        Path vars = Files.copy(SnakeoilKeys.OVMF_VARS, tmp.resolve("snakeoil-vars.fd"));
        JsonNode report = machine(SnakeoilKeys.OVMF_CODE, vars, iso, "snakeoil").run();
        assertTrue(report.get("secureBoot").asBoolean(), report.toString());
    }

    @Test
    void anUnknownEnrollModeIsRefused() {
        String id = BootAssetsTest.createSchematic("customization:\n  secureboot:\n    enrollKeys: sometimes\n");
        given().get("/image/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64-secureboot.iso").then().statusCode(400)
                .body(containsString("invalid secureboot enrollKeys value \"sometimes\""));
    }

    private Qemu machine(Path code, Path vars, Path iso, String name) {
        return Qemu.machine().secureBootMachine().uefi(code, vars).cdrom(iso).args("-net", "none")
                .timeout(Duration.ofSeconds(240)).serialLog(tmp.resolve(name + "-serial.log"));
    }

    private byte[] derOf(Path pem) {
        Path der = tmp.resolve("expected.der");
        tools.run(Command.of("openssl", "x509", "-in", pem.toString(), "-outform", "der", "-out", der.toString()));
        try {
            return Files.readAllBytes(der);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String tail(String text) {
        return text.substring(Math.max(0, text.length() - 3000));
    }
}
