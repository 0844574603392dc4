package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import org.junit.jupiter.api.Test;

/** The leak detector itself finds what it looks for (negative controls for the leak tests). */
class KeyLeaksTest {

    @Test
    void findsEachFormOfTheKey() throws Exception {
        TestKeys.material();
        Path keyFile = TestKeys.dir().resolve(DevelopmentKeys.SIGNING_KEY);
        KeyLeaks leaks = KeyLeaks.of(keyFile);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) Pem.readRsaPrivateKey(keyFile, "k");

        assertThrows(AssertionError.class, () -> leaks.assertAbsentFrom(Files.readAllBytes(keyFile), "pem"));
        assertThrows(AssertionError.class, () -> leaks.assertAbsentFrom(key.getEncoded(), "der"));
        String pkcs8Pem = Pem.encode("PRIVATE KEY", key.getEncoded());
        assertThrows(AssertionError.class, () -> leaks.assertAbsentFrom(
                ("log line " + pkcs8Pem.replace("\n", "")).getBytes(StandardCharsets.US_ASCII), "pkcs8 base64"));
        assertThrows(AssertionError.class, () -> leaks.assertAbsentFrom(
                ("d=" + key.getPrivateExponent()).getBytes(StandardCharsets.US_ASCII), "decimal"));
        assertThrows(AssertionError.class, () -> leaks.assertAbsentFrom(
                ("p=" + key.getPrimeP().toString(16)).getBytes(StandardCharsets.US_ASCII), "hex"));
        // and not the public parts
        leaks.assertAbsentFrom(TestKeys.material().certificateDer(), "certificate");
    }
}
