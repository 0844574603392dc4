package dev.imagefactory.boot;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/**
 * Debian OVMF's test ("snakeoil") SecureBoot key pair, whose certificate is enrolled in OVMF_VARS_4M.snakeoil.fd's
 * PK, KEK and db. The key ships encrypted with the passphrase "snakeoil"; the factory wants it plain, so it is
 * decrypted once into target/.
 */
public final class SnakeoilKeys {

    public static final Path CERT = Path.of("/usr/share/ovmf/PkKek-1-snakeoil.pem");
    public static final Path ENCRYPTED_KEY = Path.of("/usr/share/ovmf/PkKek-1-snakeoil.key");
    public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd");
    public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd");
    private static final Path KEY = Path.of("target/snakeoil/signing-key.pem").toAbsolutePath();

    private SnakeoilKeys() {
    }

    public static synchronized Path key() {
        try {
            if (!Files.exists(KEY)) {
                Files.createDirectories(KEY.getParent());
                // a name of this JVM's own and a replacing rename: another test JVM may be doing the same
                Path tmp = KEY.resolveSibling("signing-key.pem." + ProcessHandle.current().pid());
                new ProcessRunner(Duration.ofSeconds(30)).run(Command.of("openssl", "pkcs8", "-in",
                        ENCRYPTED_KEY.toString(), "-passin", "pass:snakeoil", "-out", tmp.toString()));
                Files.move(tmp, KEY, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return KEY;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The factory configured with the snakeoil pair for UKI signing and as the PCR key. */
    public static Map<String, String> config() {
        return Map.of("factory.secureboot.signing-key", key().toString(),
                "factory.secureboot.signing-cert", CERT.toString(),
                "factory.secureboot.pcr-key", key().toString());
    }
}
