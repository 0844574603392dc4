package dev.imagefactory.secureboot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The service with {@code factory.secureboot.dev-keys=true}: keys are generated into the data directory, the
 * certificate is served, and no private key byte reaches the HTTP response, a signed file or the log.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(SecureBootDevKeysTest.DevKeysProfile.class)
class SecureBootDevKeysTest {

    static final Path ROOT = Path.of("target", "secureboot-devkeys-test").toAbsolutePath();
    static final Path DATA = ROOT.resolve("data");
    static final Path LOG = ROOT.resolve("quarkus.log");
    static final Path KEYS = DATA.resolve("secureboot");

    /** A fresh data directory and a log file capturing everything the service logs (DEBUG and up). */
    public static class DevKeysProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            deleteTree(ROOT);
            return Map.of(
                    "factory.data-dir", DATA.toString(),
                    "factory.secureboot.dev-keys", "true",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG.toString(),
                    "quarkus.log.file.level", "DEBUG",
                    "quarkus.log.category.\"dev.imagefactory\".level", "DEBUG",
                    "quarkus.log.category.\"net.jsign\".level", "DEBUG",
                    "quarkus.log.category.\"org.bouncycastle\".level", "DEBUG");
        }
    }

    @Inject
    SecureBootKeys keys;

    @Test
    void certificateIsServedAsPem() throws Exception {
        Response response = given().when().get("/secureboot/signing-cert.pem").then().statusCode(200)
                .contentType("application/x-pem-file").extract().response();
        String body = response.asString();
        assertEquals(Files.readString(KEYS.resolve("signing-cert.pem")), body);
        X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(keys.requireEnabled().certificate(), served);
        assertTrue(body.startsWith("-----BEGIN CERTIFICATE-----\n") && body.endsWith("-----END CERTIFICATE-----\n"));

        given().when().head("/secureboot/signing-cert.pem").then().statusCode(200);

        byte[] raw = response.asByteArray();
        KeyLeaks.of(KEYS.resolve("signing-key.pem")).assertAbsentFrom(raw, "the certificate response");
        KeyLeaks.of(KEYS.resolve("pcr-key.pem")).assertAbsentFrom(raw, "the certificate response");
    }

    @Test
    void beanHoldsTheGeneratedDevelopmentKeys() {
        assertTrue(keys.enabled());
        SigningMaterial m = keys.requireEnabled();
        assertTrue(m.development());
        assertEquals(m.fingerprint(), keys.fingerprint());
        assertEquals(SigningMaterial.fromFiles(KEYS.resolve("signing-key.pem"), KEYS.resolve("signing-cert.pem"),
                KEYS.resolve("pcr-key.pem")).fingerprint(), keys.fingerprint());
    }

    @Test
    void noPrivateKeyBytesInSignedFilesPcrSignaturesOrTheLog() throws Exception {
        SigningMaterial m = keys.requireEnabled();
        KeyLeaks signingKey = KeyLeaks.of(KEYS.resolve("signing-key.pem"));
        KeyLeaks pcrKey = KeyLeaks.of(KEYS.resolve("pcr-key.pem"));

        Path signed = ROOT.resolve("systemd-boot.efi.signed");
        PeSigner.sign(StandinRelease.version(StandinRelease.V1_11).resolve("usr/install/amd64/systemd-boot.efi"),
                signed, m);
        signingKey.assertAbsentFrom(signed);
        pcrKey.assertAbsentFrom(signed);

        byte[] pcrsig = PcrSignature.section(PcrSignatureTest.vectorSections(), m.pcrKey());
        pcrKey.assertAbsentFrom(pcrsig, ".pcrsig");
        pcrKey.assertAbsentFrom(m.pcrKey().pcrpkey(), ".pcrpkey");

        // an error on the way (a missing -secureboot prerequisite would be logged the same way)
        given().when().get("/secureboot/does-not-exist").then().statusCode(404);

        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertTrue(log.contains("SecureBoot uses DEVELOPMENT keys generated in " + KEYS), "log capture works:\n" + log);
        assertTrue(log.contains("SecureBoot enabled: signing certificate"), log);
        signingKey.assertAbsentFrom(Files.readAllBytes(LOG), "the log");
        pcrKey.assertAbsentFrom(Files.readAllBytes(LOG), "the log");
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
