package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureBootKeysTest {

    record Settings(Optional<Path> signingKey, Optional<Path> signingCert, Optional<Path> pcrKey, boolean devKeys)
            implements FactoryConfig.SecureBoot {
        static Settings none() {
            return new Settings(Optional.empty(), Optional.empty(), Optional.empty(), false);
        }

        static Settings files(Path key, Path cert, Path pcr) {
            return new Settings(Optional.ofNullable(key), Optional.ofNullable(cert), Optional.ofNullable(pcr), false);
        }

        Settings withDevKeys() {
            return new Settings(signingKey, signingCert, pcrKey, true);
        }
    }

    /** A FactoryConfig answering dataDir() and secureboot() only. */
    static FactoryConfig config(Settings settings, Path dataDir) {
        return (FactoryConfig) Proxy.newProxyInstance(FactoryConfig.class.getClassLoader(),
                new Class<?>[] {FactoryConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "secureboot" -> settings;
                    case "dataDir" -> dataDir;
                    case "toString" -> "test config";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
    }

    /** openssl-made keys: a PKCS#8 signing key with a self-signed certificate and a PKCS#1 PCR key. */
    static void opensslKeys(Path dir) throws Exception {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "signing-key.pem",
                "-out", "signing-cert.pem", "-days", "30", "-subj", "/CN=test db key");
        openssl(dir, "genrsa", "-traditional", "-out", "pcr-key.pem", "2048");
    }

    @Test
    void noneConfiguredIsDisabled(@TempDir Path data) {
        assertNull(SecureBootKeys.load(Settings.none(), data));
        SecureBootKeys keys = new SecureBootKeys(config(Settings.none(), data));
        assertFalse(keys.enabled());
        assertTrue(keys.material().isEmpty());
        InvalidInputException e = assertThrows(InvalidInputException.class, keys::requireEnabled);
        assertEquals("secure boot is not enabled on this factory: configure factory.secureboot.signing-key, "
                + "signing-cert and pcr-key", e.getMessage());
        assertThrows(InvalidInputException.class, keys::fingerprint);
        assertFalse(Files.exists(data.resolve("secureboot")), "no keys generated without dev-keys");
    }

    @Test
    void someButNotAllPathsFailNamingWhatIsMissing(@TempDir Path dir) {
        KeyMaterialException e = assertThrows(KeyMaterialException.class,
                () -> SecureBootKeys.load(Settings.files(dir.resolve("k.pem"), null, null), dir));
        assertTrue(e.getMessage().contains("factory.secureboot.signing-cert and factory.secureboot.pcr-key are not set"),
                e.getMessage());
        e = assertThrows(KeyMaterialException.class,
                () -> SecureBootKeys.load(Settings.files(dir.resolve("k.pem"), dir.resolve("c.pem"), null).withDevKeys(), dir));
        assertTrue(e.getMessage().contains("factory.secureboot.pcr-key is not set"), e.getMessage());
    }

    @Test
    void opensslMadeFilesLoad(@TempDir Path dir) throws Exception {
        opensslKeys(dir);
        assertTrue(Files.readString(dir.resolve("signing-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        assertTrue(Files.readString(dir.resolve("pcr-key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----"), "PKCS#1");
        SecureBootKeys keys = new SecureBootKeys(config(Settings.files(dir.resolve("signing-key.pem"),
                dir.resolve("signing-cert.pem"), dir.resolve("pcr-key.pem")), dir));
        assertTrue(keys.enabled());
        SigningMaterial m = keys.requireEnabled();
        assertFalse(m.development());
        X509Certificate file;
        try (var in = Files.newInputStream(dir.resolve("signing-cert.pem"))) {
            file = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(file, m.certificate());
        // openssl writes the same PEM layout as Go (64-character lines)
        assertEquals(Files.readString(dir.resolve("signing-cert.pem")), m.certificatePem());
        assertEquals(m.fingerprint(), keys.fingerprint());
        assertTrue(m.fingerprint().matches("[0-9a-f]{64}"));
        assertEquals(m.fingerprint(), SigningMaterial.fromFiles(dir.resolve("signing-key.pem"),
                dir.resolve("signing-cert.pem"), dir.resolve("pcr-key.pem")).fingerprint(), "stable");
    }

    @Test
    void fingerprintChangesWithEitherKey(@TempDir Path dir) throws Exception {
        opensslKeys(dir);
        SigningMaterial a = SigningMaterial.fromFiles(dir.resolve("signing-key.pem"), dir.resolve("signing-cert.pem"),
                dir.resolve("pcr-key.pem"));
        openssl(dir, "genrsa", "-out", "pcr-key-2.pem", "2048");
        SigningMaterial b = SigningMaterial.fromFiles(dir.resolve("signing-key.pem"), dir.resolve("signing-cert.pem"),
                dir.resolve("pcr-key-2.pem"));
        assertNotEquals(a.fingerprint(), b.fingerprint());
        assertEquals(a.certificateSha256(), b.certificateSha256());
    }

    @Test
    void keyOfAnotherCertificateIsRefused(@TempDir Path dir) throws Exception {
        opensslKeys(dir);
        openssl(dir, "genrsa", "-out", "other.pem", "2048");
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> SecureBootKeys.load(
                Settings.files(dir.resolve("other.pem"), dir.resolve("signing-cert.pem"), dir.resolve("pcr-key.pem")), dir));
        assertTrue(e.getMessage().contains("does not belong to the signing certificate"), e.getMessage());
        assertKeyNotQuoted(dir.resolve("other.pem"), e.getMessage());
    }

    @Test
    void badFilesAreNamedWithoutQuotingThem(@TempDir Path dir) throws Exception {
        opensslKeys(dir);
        Path key = dir.resolve("signing-key.pem");
        Path cert = dir.resolve("signing-cert.pem");
        Path pcr = dir.resolve("pcr-key.pem");

        Path empty = Files.writeString(dir.resolve("empty.pem"), ""); // the k8s placeholder Secret
        assertMessage(Settings.files(empty, cert, pcr), dir, "signing key (" + empty + ") contains no PEM block (the file is empty)");
        assertMessage(Settings.files(key, cert, dir.resolve("absent.pem")), dir, "PCR key (" + dir.resolve("absent.pem") + ") does not exist");
        assertMessage(Settings.files(key, key, pcr), dir, "signing certificate (" + key + ") holds no certificate");
        assertMessage(Settings.files(cert, cert, pcr), dir, "signing key (" + cert + ") holds no private key");

        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem");
        assertMessage(Settings.files(key, cert, dir.resolve("ec.pem")), dir, "is not an RSA key");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec8.pem");
        assertMessage(Settings.files(dir.resolve("ec8.pem"), cert, pcr), dir, "is not an RSA key");

        openssl(dir, "genrsa", "-aes256", "-passout", "pass:secret", "-out", "encrypted.pem", "2048");
        assertMessage(Settings.files(key, cert, dir.resolve("encrypted.pem")), dir, "is encrypted");
        openssl(dir, "genrsa", "-out", "small.pem", "1024");
        assertMessage(Settings.files(key, cert, dir.resolve("small.pem")), dir, "at least 2048 bits");

        // a truncated key: PEM armour intact, base64 body cut in half
        List<String> lines = Files.readAllLines(key);
        List<String> cut = new ArrayList<>(lines.subList(0, lines.size() / 2));
        cut.add(lines.get(lines.size() - 1));
        Path truncated = Files.write(dir.resolve("truncated.pem"), cut);
        KeyMaterialException e = assertMessage(Settings.files(truncated, cert, pcr), dir, "signing key (" + truncated + ")");
        assertKeyNotQuoted(key, e.getMessage());
        assertNull(e.getCause(), "no parser exception (which might quote the key) is attached");
    }

    private static KeyMaterialException assertMessage(Settings settings, Path dataDir, String expected) {
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> SecureBootKeys.load(settings, dataDir));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage() + "\nexpected: " + expected);
        return e;
    }

    static void assertKeyNotQuoted(Path keyFile, String text) throws IOException {
        for (String line : Files.readAllLines(keyFile)) {
            if (!line.startsWith("-----") && line.length() >= 16) {
                assertFalse(text.contains(line.substring(0, 16)), "key material quoted: " + text);
            }
        }
    }

    // ---------------------------------------------------------------- development keys

    @Test
    void devKeysAreGeneratedOnceOwnerOnlyAndReused(@TempDir Path data) throws Exception {
        Settings dev = Settings.none().withDevKeys();
        SigningMaterial first = SecureBootKeys.load(dev, data);
        assertTrue(first.development());
        Path dir = data.resolve("secureboot");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (String f : List.of("signing-key.pem", "signing-cert.pem", "pcr-key.pem")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))), f);
        }
        try (var entries = Files.list(data)) {
            assertEquals(List.of(dir), entries.toList(), "no scratch directory left behind");
        }
        assertTrue(Files.readString(dir.resolve("signing-key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) first.certificate().getPublicKey()).getModulus().bitLength());
        assertEquals(2048, first.pcrKey().publicKey().getModulus().bitLength());
        assertEquals(first.certificate().getSubjectX500Principal(), first.certificate().getIssuerX500Principal());
        first.certificate().verify(first.certificate().getPublicKey());
        assertTrue(first.certificate().getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.3"), "codeSigning");

        byte[] key = Files.readAllBytes(dir.resolve("signing-key.pem"));
        SigningMaterial again = SecureBootKeys.load(dev, data);
        assertEquals(first.fingerprint(), again.fingerprint(), "reused on restart");
        assertEquals(new String(key, StandardCharsets.US_ASCII), Files.readString(dir.resolve("signing-key.pem")));

        // openssl agrees with what was written
        openssl(dir, "x509", "-in", "signing-cert.pem", "-noout");
        openssl(dir, "rsa", "-in", "pcr-key.pem", "-check", "-noout");
    }

    @Test
    void configuredFilesWinOverDevKeys(@TempDir Path dir) throws Exception {
        opensslKeys(dir);
        SigningMaterial m = SecureBootKeys.load(Settings.files(dir.resolve("signing-key.pem"),
                dir.resolve("signing-cert.pem"), dir.resolve("pcr-key.pem")).withDevKeys(), dir);
        assertFalse(m.development());
        assertFalse(Files.exists(dir.resolve("secureboot")));
    }

    @Test
    void incompleteDevKeysAreRefusedNotOverwritten(@TempDir Path data) throws Exception {
        Path dir = data.resolve("secureboot");
        SecureBootKeys.load(Settings.none().withDevKeys(), data);
        Files.delete(dir.resolve("pcr-key.pem"));
        KeyMaterialException e = assertThrows(KeyMaterialException.class,
                () -> SecureBootKeys.load(Settings.none().withDevKeys(), data));
        assertTrue(e.getMessage().contains("incomplete (missing pcr-key.pem)"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("signing-key.pem")));
    }

    @Test
    void anEmptyDevKeysDirectoryIsFilled(@TempDir Path data) throws Exception {
        Files.createDirectories(data.resolve("secureboot"));
        assertTrue(SecureBootKeys.load(Settings.none().withDevKeys(), data).development());
    }

    @Test
    void toStringsShowNoPrivateMaterial(@TempDir Path data) throws Exception {
        SigningMaterial m = SecureBootKeys.load(Settings.none().withDevKeys(), data);
        String text = m + " " + m.pcrKey();
        assertKeyNotQuoted(data.resolve("secureboot/signing-key.pem"), text);
        assertKeyNotQuoted(data.resolve("secureboot/pcr-key.pem"), text);
        java.security.interfaces.RSAPrivateCrtKey key = (java.security.interfaces.RSAPrivateCrtKey) m.signingKey();
        assertFalse(text.contains(key.getPrivateExponent().toString()));
        assertFalse(text.contains(key.getPrivateExponent().toString(16)));
        assertTrue(text.contains("DEVELOPMENT"), text);
    }
}
