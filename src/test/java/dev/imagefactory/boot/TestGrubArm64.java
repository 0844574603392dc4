package dev.imagefactory.boot;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * TEST-SIDE ONLY: GRUB's arm64-efi module directory for tests that make an arm64 GRUB EFI image by hand
 * ({@code grub-mkimage -O arm64-efi -d <this>}). Debian's grub-efi-arm64-bin installs only on arm64, so its .deb is
 * fetched the way scripts/build-standin-release fetches arm64 packages (apt-get download with the script's private
 * arm64 package lists, no root) into the script's .deb cache, and unpacked with dpkg-deb -x into
 * target/test-grub-arm64/. The factory's own copy comes from scripts/fetch-grub-arm64 (issue 14, another part); this
 * class deliberately shares nothing with it.
 */
final class TestGrubArm64 {

    private static final Path DIR = Path.of("target/test-grub-arm64").toAbsolutePath();
    private static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(5));
    private static final String PACKAGE = "grub-efi-arm64-bin";

    private TestGrubArm64() {
    }

    /** {@code .../usr/lib/grub/arm64-efi}, unpacked once. */
    static synchronized Path modules() {
        Path modules = DIR.resolve("root/usr/lib/grub/arm64-efi");
        if (Files.isRegularFile(modules.resolve("linux.mod"))) {
            return modules;
        }
        try {
            Path deb = cachedDeb().orElseGet(TestGrubArm64::download);
            Path root = DIR.resolve("root");
            if (Files.exists(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(root);
            TOOLS.run(Command.of("dpkg-deb", "-x", deb.toString(), root.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.isRegularFile(modules.resolve("linux.mod"))) {
            throw new AssertionError("the " + PACKAGE + " .deb has no usr/lib/grub/arm64-efi/linux.mod");
        }
        return modules;
    }

    /** The stand-in script's .deb cache (STANDIN_DEB_CACHE or its default). */
    private static Path cache() {
        String configured = System.getenv("STANDIN_DEB_CACHE");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("image-factory/standin-debs");
    }

    private static Optional<Path> cachedDeb() throws IOException {
        if (!Files.isDirectory(cache())) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(cache())) {
            return files.filter(p -> p.getFileName().toString().startsWith(PACKAGE + "_")
                    && p.getFileName().toString().endsWith("_arm64.deb")).max(Comparator.naturalOrder());
        }
    }

    /** apt-get download with the private arm64 lists the stand-in script keeps (fetched here when missing). */
    private static Path download() {
        Path state = cache().resolve("apt-arm64");
        List<String> opts = List.of("-o", "Dir::State::Lists=" + state.resolve("lists"),
                "-o", "Dir::Cache=" + state.resolve("cache"), "-o", "Dir::State::status=" + state.resolve("status"),
                "-o", "APT::Architecture=arm64", "-o", "APT::Architectures=arm64", "-o", "Acquire::Languages=none",
                "-o", "APT::Sandbox::User=" + System.getProperty("user.name"));
        try {
            Files.createDirectories(state.resolve("lists/partial"));
            Files.createDirectories(state.resolve("cache/archives/partial"));
            if (!Files.exists(state.resolve("status"))) {
                Files.createFile(state.resolve("status"));
            }
            List<String> update = new ArrayList<>(List.of("apt-get"));
            update.addAll(opts);
            update.addAll(List.of("-q", "update"));
            TOOLS.run(Command.of(update));
            List<String> download = new ArrayList<>(List.of("apt-get"));
            download.addAll(opts);
            download.addAll(List.of("download", "-q", PACKAGE));
            TOOLS.run(Command.of(download).in(cache()));
            return cachedDeb().orElseThrow(() -> new AssertionError("apt-get download " + PACKAGE + " left no .deb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
