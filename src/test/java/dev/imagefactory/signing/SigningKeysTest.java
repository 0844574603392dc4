package dev.imagefactory.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.config.FactoryConfig;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which key signs: {@code factory.signing.key}, else the development key of the data directory; a bad file stops. */
class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void configuredKeyIsUsed() throws Exception {
        Path key = Openssl.newP256Key(dir.resolve("cosign.pem"));
        SigningKeys keys = new SigningKeys(config(dir.resolve("data"), Optional.of(key)));
        assertEquals(Files.readString(Openssl.publicKeyOf(key, dir.resolve("pub.pem"))), keys.key().publicKeyPem());
        assertTrue(Files.notExists(dir.resolve("data/signing")), "no development key next to a configured one");
    }

    @Test
    void withoutAKeyTheDevelopmentKeyOfTheDataDirectorySigns() {
        Path data = dir.resolve("data");
        String generated = new SigningKeys(config(data, Optional.empty())).key().publicKeyPem();
        assertTrue(Files.isRegularFile(data.resolve("signing").resolve(CosignKey.DEV_KEY_FILE)));
        assertEquals(generated, new SigningKeys(config(data, Optional.empty())).key().publicKeyPem(),
                "the next start signs with the same key");
    }

    @Test
    void anEmptyKeyFileStopsTheStartNamingIt() throws Exception {
        Path empty = Files.createFile(dir.resolve("cosign-key.pem"));
        SigningKeyException e = assertThrows(SigningKeyException.class,
                () -> new SigningKeys(config(dir.resolve("data"), Optional.of(empty))).key());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }

    /** A configuration answering only what the signing keys read. */
    private static FactoryConfig config(Path dataDir, Optional<Path> key) {
        FactoryConfig.Signing signing = () -> key;
        return (FactoryConfig) Proxy.newProxyInstance(SigningKeysTest.class.getClassLoader(),
                new Class<?>[] {FactoryConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "dataDir" -> dataDir;
                    case "signing" -> signing;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
