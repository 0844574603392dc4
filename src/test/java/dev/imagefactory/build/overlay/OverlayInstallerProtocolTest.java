package dev.imagefactory.build.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.tools.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay installer runner against small installers written here (sh scripts): what they receive, how their
 * failures surface (400 naming the overlay, the last stderr line) and that no scratch is left. The real stand-in
 * board's installer is run by {@link StandinOverlayInstallerTest}.
 */
class OverlayInstallerProtocolTest {

    private static final ProcessRunner RUNNER = new ProcessRunner(Duration.ofSeconds(20));

    @TempDir
    Path tmp;

    private Path scratch() {
        return tmp.resolve("work");
    }

    /** An overlay image root whose installers/<name> is {@code script}. */
    private OverlayImage overlay(String name, String script) throws IOException {
        Path root = tmp.resolve("overlay-" + name);
        Files.createDirectories(root.resolve("installers"));
        Path installer = root.resolve("installers").resolve(name.isEmpty() ? "default" : name);
        Files.writeString(installer, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(installer, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new OverlayImage(name, root, "sha256:test");
    }

    private void assertNoScratchLeft() throws IOException {
        if (Files.isDirectory(scratch())) {
            try (Stream<Path> left = Files.list(scratch())) {
                assertEquals(List.of(), left.toList(), "scratch left behind");
            }
        }
    }

    @Test
    void getOptionsSendsTheOptionsAndParsesTheAnswer() throws IOException {
        Path seen = tmp.resolve("seen");
        OverlayImage image = overlay("board", "cat > '" + seen + "'\n"
                + "printf 'name: board\\nkernelArgs:\\n    - console=ttyS2,1500000\\n    - \"a b\"\\npartitionOptions:\\n"
                + "    offset: 20480\\n'\n");
        OverlayInstaller.Options options = new OverlayInstaller(RUNNER, image, scratch())
                .getOptions("configTxtAppend: dtoverlay=x\n".getBytes());
        assertEquals(new OverlayInstaller.Options("board", List.of("console=ttyS2,1500000", "a b"), 20480), options);
        assertEquals("configTxtAppend: dtoverlay=x\n", Files.readString(seen));
        assertNoScratchLeft();
    }

    @Test
    void emptyNameRunsTheDefaultInstallerAndOmittedFieldsAreEmpty() throws IOException {
        OverlayImage image = overlay("", "echo 'name: \"\"'\n");
        assertEquals(new OverlayInstaller.Options("", List.of(), 0),
                new OverlayInstaller(RUNNER, image, scratch()).getOptions("{}\n".getBytes()));
    }

    @Test
    void theInstallerSeesOnlyAScrubbedEnvironmentAndItsOwnScratch() throws IOException {
        Path seen = tmp.resolve("env");
        OverlayImage image = overlay("board", "env > '" + seen + "'\npwd >> '" + seen + "'\necho 'name: board'\n");
        new OverlayInstaller(RUNNER, image, scratch()).getOptions("{}\n".getBytes());
        List<String> lines = Files.readAllLines(seen);
        String cwd = lines.get(lines.size() - 1);
        assertTrue(cwd.startsWith(scratch() + "/overlay-installer-"), cwd);
        TreeSet<String> names = new TreeSet<>();
        for (String line : lines.subList(0, lines.size() - 1)) {
            names.add(line.substring(0, line.indexOf('=')));
        }
        names.remove("PWD");   // the shell's own
        assertEquals(new TreeSet<>(List.of("HOME", "LC_ALL", "PATH", "TMPDIR")), names, lines.toString());
        assertTrue(lines.contains("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), lines.toString());
        assertTrue(lines.contains("HOME=" + cwd) && lines.contains("TMPDIR=" + cwd), lines.toString());
        assertNoScratchLeft();
    }

    @Test
    void installSendsTheInstallOptionsAsGoYamlMarshalsThem() throws IOException {
        Path seen = tmp.resolve("seen");
        OverlayImage image = overlay("board", "cat > '" + seen + "'\n");
        OverlayInstaller installer = new OverlayInstaller(RUNNER, image, scratch());
        installer.install(Path.of("/d/disk.raw"), Path.of("/m"), Path.of("/a/artifacts"),
                Map.of("configTxtAppend", "dtoverlay=x"));
        assertEquals("installDisk: /d/disk.raw\nmountPrefix: /m\nartifactsPath: /a/artifacts\nextraOptions:\n"
                + "    configTxtAppend: dtoverlay=x\n", Files.readString(seen));
        installer.install(Path.of("/d/disk.raw"), Path.of("/m"), Path.of("/a/artifacts"), Map.of());
        assertEquals("installDisk: /d/disk.raw\nmountPrefix: /m\nartifactsPath: /a/artifacts\n", Files.readString(seen),
                "extraOptions is omitempty");
        assertNoScratchLeft();
    }

    @Test
    void aFailingInstallerIsA400WithTheLastLineOfItsStderr() throws IOException {
        OverlayImage image = overlay("board", "echo 'some noise' >&2\necho 'board: no u-boot for this revision' >&2\n"
                + "touch \"$HOME/leftover\"\nexit 3\n");
        OverlayInstaller installer = new OverlayInstaller(RUNNER, image, scratch());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> installer.install(tmp.resolve("disk"), tmp.resolve("mnt"), tmp.resolve("art"), Map.of()));
        assertEquals("overlay installer \"board\" install failed with exit code 3: board: no u-boot for this revision",
                e.getMessage());
        assertNoScratchLeft();
        e = assertThrows(InvalidInputException.class, () -> installer.getOptions("{}\n".getBytes()));
        assertTrue(e.getMessage().startsWith("overlay installer \"board\" get-options failed with exit code 3: "),
                e.getMessage());
        assertNoScratchLeft();
    }

    @Test
    void aSilentFailureStillSaysWhatFailed() throws IOException {
        OverlayImage image = overlay("board", "exit 1\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new OverlayInstaller(RUNNER, image, scratch()).getOptions("{}\n".getBytes()));
        assertEquals("overlay installer \"board\" get-options failed with exit code 1", e.getMessage());
        assertNoScratchLeft();
    }

    @Test
    void aHangingInstallerIsKilledAfterTheRunnersTimeout() throws IOException {
        OverlayImage image = overlay("board", "echo 'waiting' >&2\nexec sleep 60\n");
        long started = System.nanoTime();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new OverlayInstaller(new ProcessRunner(Duration.ofSeconds(1)), image, scratch())
                        .getOptions("{}\n".getBytes()));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "killed, not waited for");
        // the runner's message has stderr only if it was drained by then
        assertTrue(e.getMessage().startsWith("overlay installer \"board\" get-options timed out after 1s"), e.getMessage());
        assertNoScratchLeft();
    }

    @Test
    void aMissingInstallerIsA400NamingIt() throws IOException {
        OverlayImage image = overlay("other", "exit 0\n");
        OverlayImage wrongName = new OverlayImage("board", image.root(), image.identity());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new OverlayInstaller(RUNNER, wrongName, scratch()).getOptions("{}\n".getBytes()));
        assertEquals("overlay installer \"board\" cannot run: its image has no installers/board", e.getMessage());
        assertNoScratchLeft();
    }

    @Test
    void answersOutsideTheProtocolAreRefused() throws IOException {
        for (String answer : List.of("just text", "name: [x]", "name: b\nkernelArgs: console=x",
                "name: b\nkernelArgs: [1]", "name: b\npartitionOptions: {offset: -1}",
                "name: b\npartitionOptions: {offset: 99999999999999999999}", "name: b\npartitionOptions: {offset: x}",
                "name: b\nextra: 1", "name: a\nname: b", "kernelArgs: []")) {
            OverlayImage image = overlay("board", "cat > /dev/null\ncat <<'ANSWER'\n" + answer + "\nANSWER\n");
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> new OverlayInstaller(RUNNER, image, scratch()).getOptions("{}\n".getBytes()), answer);
            assertTrue(e.getMessage().startsWith("overlay installer \"board\" get-options gave an answer that is not"),
                    e.getMessage());
        }
        assertNoScratchLeft();
    }

    @Test
    void theHostArchitectureIsTheJvms() {
        assertEquals(System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64",
                OverlayInstaller.hostArch().goName());
    }

    @Test
    void failureKeepsWhatHappenedAndTheLastStderrLine() {
        assertEquals("failed with exit code 2: b", OverlayInstaller.failure("env failed with exit code 2: a\nb\n\n  \n"));
        assertEquals("failed with exit code 2", OverlayInstaller.failure("env failed with exit code 2: "));
        assertEquals("timed out after 1s: w", OverlayInstaller.failure("env timed out after 1s: w"));
        assertEquals("failed", OverlayInstaller.failure(null));
    }
}
