package dev.imagefactory.build.uki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The stand-in release's boot files and a few tool calls shared by the UKI tests. */
final class Fixtures {

    static final String VERSION = StandinRelease.V1_11;
    static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(2));

    private Fixtures() {
    }

    static Path amd64() {
        return StandinRelease.version(VERSION).resolve("usr/install/amd64");
    }

    static Path stub() {
        return amd64().resolve("systemd-stub.efi");
    }

    static Path kernel() {
        return amd64().resolve("vmlinuz");
    }

    static Path initramfs() {
        return amd64().resolve("initramfs.xz");
    }

    static String run(String... args) {
        return TOOLS.run(Command.of(args)).stdout();
    }

    /**
     * The kernel release as the release's rootfs names it: the one directory under usr/lib/modules of the
     * rootfs.sqsh inside the (zstd-compressed) base initramfs. Independent of the bzImage header.
     */
    static String kernelReleaseFromRootfs(Path tmp) throws IOException {
        Path cpio = tmp.resolve("initramfs.cpio");
        TOOLS.run(Command.of("zstd", "-q", "-d", "-c", initramfs().toString()).stdoutTo(cpio));
        Path dir = Files.createDirectories(tmp.resolve("initramfs"));
        TOOLS.run(Command.of("cpio", "-i", "--quiet", "rootfs.sqsh").in(dir).stdinFrom(cpio));
        String prefix = "/usr/lib/modules/";
        List<String> releases = run("unsquashfs", "-l", "-d", "", dir.resolve("rootfs.sqsh").toString()).lines()
                .filter(l -> l.startsWith(prefix) && l.length() > prefix.length() && l.indexOf('/', prefix.length()) < 0)
                .map(l -> l.substring(prefix.length()))
                .toList();
        assertEquals(1, releases.size(), "kernel releases in the rootfs: " + releases);
        return releases.get(0);
    }

    static long roundUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
