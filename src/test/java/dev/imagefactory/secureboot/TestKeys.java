package dev.imagefactory.secureboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Development keys generated once per test JVM under target/, shared by the SecureBoot tests. Each JVM has a directory
 * of its own: the slow tier runs two test JVMs at once, and each starts by replacing its keys.
 */
final class TestKeys {

    private static final Path ROOT = Path.of("target", "secureboot-test-keys", "jvm-" + ProcessHandle.current().pid())
            .toAbsolutePath();
    private static SigningMaterial first;
    private static SigningMaterial second;

    private TestKeys() {
    }

    /** A set of keys in {@link #dir()}. */
    static synchronized SigningMaterial material() {
        if (first == null) {
            first = fresh(dir());
        }
        return first;
    }

    /** A second, unrelated set (for "signed by someone else" checks). */
    static synchronized SigningMaterial other() {
        if (second == null) {
            second = fresh(ROOT.resolve("other"));
        }
        return second;
    }

    static Path dir() {
        return ROOT.resolve("main");
    }

    static Path certificatePem() {
        material();
        return dir().resolve(DevelopmentKeys.SIGNING_CERT);
    }

    private static SigningMaterial fresh(Path dir) {
        try {
            if (Files.exists(dir)) {
                for (String f : new String[] {DevelopmentKeys.SIGNING_KEY, DevelopmentKeys.SIGNING_CERT, DevelopmentKeys.PCR_KEY}) {
                    Files.deleteIfExists(dir.resolve(f));
                }
                Files.delete(dir);
            }
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DevelopmentKeys.loadOrCreate(dir);
    }
}
