package dev.imagefactory.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The stand-in releases (Debian kernel + busybox init, NOT Talos) under {@code target/standin-release}, built once by
 * {@code scripts/build-standin-release}. The script skips complete versions, so later calls cost a directory check.
 * A lock (in this JVM, and a file lock across forked test JVMs) keeps parallel test classes from building twice.
 */
public final class StandinRelease {

    public static final String V1_7 = "v1.7.7-debian.1";
    public static final String V1_11 = "v1.11.0-debian.1";
    /** The first version whose ISO bootloader the schematic chooses; quirks otherwise as 1.11 (plus module.sig_enforce=1). */
    public static final String V1_12 = "v1.12.0-debian.1";
    public static final List<String> VERSIONS = List.of(V1_7, V1_11, V1_12);

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path DIR = PROJECT.resolve("target/standin-release");
    /** {@code --padded}: the same release at Talos' sizes (20 MiB kernel, 80 MiB rootfs, a 300 MiB firmware extension). */
    private static final Path PADDED_DIR = PROJECT.resolve("target/standin-release-padded");
    /** The one padded version the tests need: each takes ~370 MB and about a minute to build. */
    public static final String PADDED_VERSION = V1_12;
    private static final long BUILD_TIMEOUT_MINUTES = 15;
    /** The directories built (or found complete) by this JVM. */
    private static final Set<Path> BUILT = new HashSet<>();

    private StandinRelease() {
    }

    /** The directory holding {@code v1.7.7-debian.1/}, {@code v1.11.0-debian.1/} and {@code v1.12.0-debian.1/}. */
    public static Path ensure() {
        return ensureBuilt(DIR, List.of(), Map.of());
    }

    /** The directory holding the padded {@link #PADDED_VERSION}, built once like {@link #ensure()}. */
    public static Path ensurePadded() {
        return ensureBuilt(PADDED_DIR, List.of("--padded"), Map.of("STANDIN_VERSIONS", PADDED_VERSION));
    }

    private static synchronized Path ensureBuilt(Path dir, List<String> options, Map<String, String> environment) {
        if (BUILT.contains(dir)) {
            return dir;
        }
        try {
            Files.createDirectories(dir.getParent());
            try (FileChannel channel = FileChannel.open(dir.getParent().resolve("standin-release.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                build(dir, options, environment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BUILT.add(dir);
        return dir;
    }

    /** One version's directory, e.g. {@code version(V1_11).resolve("usr/install/amd64/vmlinuz")}. */
    public static Path version(String version) {
        return ensure().resolve(version);
    }

    private static void build(Path dir, List<String> options, Map<String, String> environment) throws IOException {
        Path log = dir.getParent().resolve(dir.getFileName() + ".log");
        List<String> command = new ArrayList<>(List.of("bash", PROJECT.resolve("scripts/build-standin-release").toString()));
        command.addAll(options);
        command.add(dir.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("build-standin-release took over " + BUILD_TIMEOUT_MINUTES + " min; log: " + log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building the stand-in release", e);
        }
        if (process.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            throw new AssertionError("scripts/build-standin-release failed (exit " + process.exitValue() + "), "
                    + log + " ends with:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
    }

    /**
     * The kernel release ({@code uname -r}, e.g. {@code 6.1.0-57-arm64}) of a stand-in version for an architecture:
     * whichever Debian kernel the build found, as its dummy-module extension is tagged with it
     * ({@code <kernel release of amd64>-<version>}).
     */
    public static String kernelRelease(String version, String arch) {
        String prefix = "localhost/standin/dummy-module:";
        try {
            for (String line : Files.readAllLines(version(version).resolve("extensions/image-digests"))) {
                if (line.startsWith(prefix)) {
                    String tag = line.substring(prefix.length(), line.indexOf('@'));
                    String amd64 = tag.substring(0, tag.length() - ("-" + version).length());
                    return amd64.substring(0, amd64.length() - "amd64".length()) + arch;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no standin/dummy-module in " + version + "/extensions/image-digests");
    }
}
