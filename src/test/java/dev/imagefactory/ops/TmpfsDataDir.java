package dev.imagefactory.ops;

import dev.imagefactory.boot.StandinRelease;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted as the factory's data dir before the service starts, unmounted after it stopped, so a test
 * can make the disk full or read-only under a running service. Needs root (CI is root); without it the data dir is a
 * plain directory and {@link #mounted()} is false, so the tests skip.
 */
public class TmpfsDataDir implements QuarkusTestResourceLifecycleManager {

    static final String SIZE = "24m";
    private static volatile Path dir;
    private static volatile boolean mounted;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createDirectories(Path.of("target/disk-faults/" + System.nanoTime()).toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mounted = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",mode=0755", "tmpfs", dir.toString()).isEmpty();
        return Map.of("factory.data-dir", dir.toString(),
                "factory.releases.dir", StandinRelease.ensure().toString());
    }

    @Override
    public void stop() {
        if (mounted) {
            run("mount", "-o", "remount,rw", dir.toString());
            if (!run("umount", dir.toString()).isEmpty()) {
                run("umount", "-l", dir.toString()); // something still holds a file open: detach it anyway
            }
            mounted = false;
        }
    }

    static Path dir() {
        return dir;
    }

    static boolean mounted() {
        return mounted;
    }

    static void remount(String mode) {
        String error = run("mount", "-o", "remount," + mode, dir.toString());
        if (!error.isEmpty()) {
            throw new AssertionError("remount " + mode + " failed: " + error);
        }
    }

    /** Runs a command; returns "" on success, else its output. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish in 30 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? "" : String.join(" ", command) + " -> " + p.exitValue() + ": " + out.strip();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }
}
