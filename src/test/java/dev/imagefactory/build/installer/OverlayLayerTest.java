package dev.imagefactory.build.installer;

import dev.imagefactory.tools.ProcessRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.content.Digests;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayLayerTest {

    static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(1));

    @TempDir
    Path tmp;

    private Path overlayTree() throws IOException {
        Path root = tmp.resolve("image");
        Files.createDirectories(root.resolve("installers"));
        Files.createDirectories(root.resolve("artifacts/arm64/u-boot/board"));
        Files.createDirectories(root.resolve("profiles"));
        Files.writeString(root.resolve("installers/board"), "board installer");
        Files.setPosixFilePermissions(root.resolve("installers/board"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("installers/default"), "default installer");
        Files.writeString(root.resolve("artifacts/arm64/u-boot/board/u-boot.bin"), "u-boot");
        Files.setPosixFilePermissions(root.resolve("artifacts/arm64/u-boot/board/u-boot.bin"),
                PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve("artifacts/arm64/latest"), Path.of("u-boot/board/u-boot.bin"));
        Files.writeString(root.resolve("profiles/board.yaml"), "arch: arm64\n");
        return root;
    }

    @Test
    void holdsArtifactsTheSelectedInstallerAsDefaultAndTheOptions() throws IOException {
        Path root = overlayTree();
        Map<Object, Object> options = new LinkedHashMap<>();
        options.put("configTxtAppend", "dtoverlay=x");
        options.put("a", List.of(1L, "true", Map.of("k", true)));
        byte[] yaml = OverlayLayer.extraOptions(options);
        assertEquals("a:\n    - 1\n    - \"true\"\n    - k: true\nconfigTxtAppend: dtoverlay=x\n", new String(yaml, StandardCharsets.UTF_8));

        LayerBlob blob = OverlayLayer.write(TOOLS, new OverlayImage("board", root, "sha256:x"), yaml, tmp.resolve("a.tar.gz"));
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(blob.file()))) {
            tar = in.readAllBytes();
        }
        assertEquals(Digests.sha256(tar), blob.diffId());
        assertEquals(Digests.sha256(Files.readAllBytes(blob.file())), blob.digest());
        try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                contents.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(List.of("overlay/", "overlay/artifacts/", "overlay/artifacts/arm64/", "overlay/artifacts/arm64/latest",
                "overlay/artifacts/arm64/u-boot/", "overlay/artifacts/arm64/u-boot/board/",
                "overlay/artifacts/arm64/u-boot/board/u-boot.bin", "overlay/extra-options", "overlay/installers/",
                "overlay/installers/default"), List.copyOf(entries.keySet()));
        assertEquals("board installer", contents.get("overlay/installers/default"), "the named installer, renamed");
        assertEquals(0755, entries.get("overlay/installers/default").getMode() & 07777);
        assertEquals(0600, entries.get("overlay/artifacts/arm64/u-boot/board/u-boot.bin").getMode() & 07777);
        assertTrue(entries.get("overlay/artifacts/arm64/latest").isSymbolicLink());
        assertEquals("u-boot/board/u-boot.bin", entries.get("overlay/artifacts/arm64/latest").getLinkName());
        assertEquals(new String(yaml, StandardCharsets.UTF_8), contents.get("overlay/extra-options"));
        for (TarArchiveEntry e : entries.values()) {
            assertEquals(0, e.getLongUserId());
            assertEquals(0, e.getModTime().getTime());
        }

        LayerBlob again = OverlayLayer.write(TOOLS, new OverlayImage("board", root, "sha256:x"), yaml, tmp.resolve("b.tar.gz"));
        assertEquals(blob.digest(), again.digest(), "reproducible");
    }

    @Test
    void anEmptyNameSelectsTheDefaultInstallerAndNoOptionsAreAnEmptyMapping() throws IOException {
        Path root = overlayTree();
        assertEquals("{}\n", new String(OverlayLayer.extraOptions(Map.of()), StandardCharsets.UTF_8));
        assertEquals("{}\n", new String(OverlayLayer.extraOptions(null), StandardCharsets.UTF_8));
        LayerBlob blob = OverlayLayer.write(TOOLS, new OverlayImage("", root, "sha256:x"), OverlayLayer.extraOptions(Map.of()),
                tmp.resolve("c.tar.gz"));
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(blob.file())))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("overlay/installers/default")) {
                    assertEquals("default installer", new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    return;
                }
            }
        }
        throw new AssertionError("no overlay/installers/default");
    }
}
