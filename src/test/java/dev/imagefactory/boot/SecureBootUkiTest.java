package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ToolException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * SecureBoot UKIs (issue 4) signed with Debian OVMF's snakeoil key: Authenticode accepted by sbverify and
 * osslsigncode and refused after one flipped byte; sections in the spec's order; a PCR 11 signature we recompute
 * independently from the served sections; and OVMF with SecureBoot enforced boots it, but not a tampered copy.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class SecureBootUkiTest {

    /** No META: the SecureBoot cmdline asset then equals the UKI's .cmdline (a UKI never carries META). */
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [talos.dashboard.disabled=1, sb.test=1]
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @Test
    void signedUkiVerifiesBootsWithSecureBootAndATamperedCopyIsRefused() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String base = "/image/" + id + "/" + v + "/";
        Path uki = Files.write(tmp.resolve("uki.efi"), given().get(base + "metal-amd64-secureboot-uki.efi").then()
                .statusCode(200).extract().asByteArray());
        Path cert = Files.write(tmp.resolve("cert.pem"), given().get("/secureboot/signing-cert.pem").then()
                .statusCode(200).extract().asByteArray());
        String cmdline = given().get(base + "cmdline-metal-amd64-secureboot").then().statusCode(200).extract().asString();
        assertTrue(cmdline.endsWith(" lockdown=confidentiality talos.dashboard.disabled=1 sb.test=1"), cmdline);

        tools.run(Command.of("sbverify", "--cert", cert.toString(), uki.toString()));
        tools.run(Command.of("osslsigncode", "verify", "-CAfile", cert.toString(), "-in", uki.toString()));

        Map<String, long[]> sections = sections(uki);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".pcrpkey", ".linux", ".initrd", ".profile", ".pcrsig"),
                sections.keySet().stream().dropWhile(n -> !n.equals(".osrel")).toList());
        assertEquals(cmdline, new String(section(uki, ".cmdline"), StandardCharsets.UTF_8));
        verifyPcrSignature(uki);

        Path tampered = Files.copy(uki, tmp.resolve("tampered.efi"));
        byte[] bytes = Files.readAllBytes(tampered);
        int at = (int) (sections.get(".initrd")[1] + 4096);
        bytes[at] ^= 0x01;
        Files.write(tampered, bytes);
        assertThrows(ToolException.class, () -> tools.run(Command.of("sbverify", "--cert", cert.toString(), tampered.toString())));
        assertThrows(ToolException.class, () -> tools.run(Command.of("osslsigncode", "verify", "-CAfile", cert.toString(),
                "-in", tampered.toString())));

        JsonNode report = secureBootMachine("good").drive(EspImage.withLoader(uki, tmp.resolve("esp.img")), "raw").run();
        assertTrue(report.get("secureBoot").asBoolean(), "the kernel reports Secure Boot enabled: " + report);
        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals(List.of("dummy"), List.of(report.get("modules").get(0).asText()));

        String refused = secureBootMachine("tampered").drive(EspImage.withLoader(tampered, tmp.resolve("bad.img")), "raw")
                .timeout(Duration.ofSeconds(60)).runExpectingNoReport();
        assertTrue(refused.contains("Access Denied") || refused.contains("Security Violation"),
                "the firmware says why it refused:\n" + refused.substring(Math.max(0, refused.length() - 2000)));
    }

    @Test
    void pxeScriptForSecureBootBootsTheSignedUki() {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String v = StandinRelease.V1_11;
        String cmdline = given().get("/image/" + id + "/" + v + "/cmdline-metal-amd64-secureboot").then().statusCode(200)
                .extract().asString();
        given().get("/pxe/" + id + "/" + v + "/metal-amd64-secureboot").then().statusCode(200)
                .body(org.hamcrest.Matchers.equalTo("#!ipxe\n\nimgfree\nkernel http://pxe.example:8080/image/" + id + "/"
                        + v + "/metal-amd64-secureboot-uki.efi " + cmdline + "\nboot\n"));
    }

    private Qemu secureBootMachine(String name) throws Exception {
        Path vars = Files.copy(SnakeoilKeys.OVMF_VARS, tmp.resolve(name + "-vars.fd"));
        return Qemu.machine().secureBootMachine().uefi(SnakeoilKeys.OVMF_CODE, vars).args("-net", "none")
                .timeout(Duration.ofSeconds(180)).serialLog(tmp.resolve(name + "-serial.log"));
    }

    /** Section name → {size, file offset}, from objdump -h (an independent PE reader). */
    private Map<String, long[]> sections(Path pe) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : tools.run(Command.of("objdump", "-h", pe.toString())).stdout().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7 && f[0].matches("\\d+") && f[1].startsWith(".")) {
                out.put(f[1], new long[] {Long.parseLong(f[2], 16), Long.parseLong(f[5], 16)});
            }
        }
        return out;
    }

    private byte[] section(Path pe, String name) throws Exception {
        Path out = tmp.resolve("section" + name);
        tools.run(Command.of("objcopy", "-O", "binary", "--only-section=" + name, pe.toString(), out.toString()));
        return Files.readAllBytes(out);
    }

    /**
     * Recomputes PCR 11 from the served UKI's own section bytes the way systemd-stub measures them, then checks each
     * bank's policy digest and verifies its signature with the public key in {@code .pcrpkey}.
     */
    private void verifyPcrSignature(Path uki) throws Exception {
        JsonNode sig = new ObjectMapper().readTree(section(uki, ".pcrsig"));
        String pem = new String(section(uki, ".pcrpkey"), StandardCharsets.US_ASCII);
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        List<String> order = List.of(".linux", ".osrel", ".cmdline", ".initrd", ".ucode", ".splash", ".dtb", ".uname",
                ".sbat", ".pcrpkey", ".profile", ".dtbauto", ".hwids");
        Map<String, long[]> present = sections(uki);
        Map<String, Object[]> banks = Map.of("sha256", new Object[] {"SHA-256", 0x0B, "SHA256withRSA"},
                "sha384", new Object[] {"SHA-384", 0x0C, "SHA384withRSA"}, "sha512", new Object[] {"SHA-512", 0x0D, "SHA512withRSA"});
        assertEquals(List.of("sha256", "sha384", "sha512"), iterable(sig.fieldNames()));
        for (Map.Entry<String, Object[]> bank : banks.entrySet()) {
            MessageDigest md = MessageDigest.getInstance((String) bank.getValue()[0]);
            byte[] pcr = new byte[md.getDigestLength()];
            for (String name : order) {
                if (present.containsKey(name)) {
                    pcr = extend(md, pcr, (name + "\0").getBytes(StandardCharsets.US_ASCII));
                    pcr = extend(md, pcr, section(uki, name));
                }
            }
            for (String phase : List.of("enter-initrd", "leave-initrd", "enter-machined")) {
                pcr = extend(md, pcr, phase.getBytes(StandardCharsets.US_ASCII));
            }
            ByteBuffer policyInput = ByteBuffer.allocate(32 + 4 + 4 + 2 + 1 + 3 + 32);
            policyInput.put(new byte[32]).putInt(0x17F).putInt(1).putShort((short) (int) (Integer) bank.getValue()[1])
                    .put((byte) 3).put(new byte[] {0, 8, 0}).put(MessageDigest.getInstance("SHA-256").digest(pcr));
            byte[] policy = MessageDigest.getInstance("SHA-256").digest(policyInput.array());
            JsonNode entry = sig.get(bank.getKey()).get(0);
            assertEquals(HexFormat.of().formatHex(policy), entry.get("pol").asText(), bank.getKey() + " policy");
            Signature verifier = Signature.getInstance((String) bank.getValue()[2]);
            verifier.initVerify(key);
            verifier.update(policy);
            assertTrue(verifier.verify(Base64.getDecoder().decode(entry.get("sig").asText())), bank.getKey() + " signature");
        }
    }

    private static byte[] extend(MessageDigest md, byte[] pcr, byte[] data) {
        byte[] inner = md.digest(data);
        md.update(pcr);
        md.update(inner);
        return md.digest();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
