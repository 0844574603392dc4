package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Source trees and checks shared by the file-system image tests. */
final class FsTestTrees {

    static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(2));
    static final long MIB = 1L << 20;

    private FsTestTrees() {
    }

    /** {@code length} pseudo-random bytes from {@code seed}: content that compresses to nothing else. */
    static byte[] bytes(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    static Path file(Path root, String relative, byte[] content, String permissions) throws IOException {
        Path target = root.resolve(relative);
        Files.createDirectories(target.getParent());
        Files.write(target, content);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
        return target;
    }

    /** Runs a tool; its stdout. */
    static String run(String... args) {
        return TOOLS.run(Command.of(args)).stdout();
    }

    /** Runs a tool that may fail; exit code and combined output, for tools whose failure is the answer. */
    static ProcessResult exec(List<String> args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes());
        return new ProcessResult(process.waitFor(), out);
    }

    record ProcessResult(int exitCode, String output) {
    }

    static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's size is exactly {@code size} and at most {@code maxAllocated} bytes of it are on disk. */
    static void assertSparse(Path image, long size, long maxAllocated) throws IOException {
        assertTrue(Files.size(image) == size, image + " is " + Files.size(image) + " bytes, not " + size);
        long blocks = Long.parseLong(run("stat", "-c", "%b", image.toString()).strip());
        long allocated = blocks * 512;
        assertTrue(allocated <= maxAllocated, image + " has " + allocated + " bytes allocated, more than "
                + maxAllocated + ": not sparse");
    }
}
