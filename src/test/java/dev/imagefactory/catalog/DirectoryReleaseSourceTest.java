package dev.imagefactory.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryReleaseSourceTest {

    static final String D1 = "sha256:" + "a".repeat(64);

    @TempDir
    Path root;

    @Test
    void everyVersionNamedDirectoryIsARelease() throws IOException {
        for (String name : List.of("v1.11.0", "1.12.0-alpha.1", "v1.11", "latest", "v1.10.0.bak")) {
            Files.createDirectories(root.resolve(name));
        }
        Files.writeString(root.resolve("v1.9.0"), "a file, not a release");
        assertEquals(Set.of(TalosVersion.parse("v1.11.0"), TalosVersion.parse("v1.12.0-alpha.1")),
                new DirectoryReleaseSource(root).versions());
    }

    @Test
    void missingDirectoryMeansNoVersions() {
        DirectoryReleaseSource source = new DirectoryReleaseSource(root.resolve("absent"));
        assertEquals(Set.of(), source.versions());
        assertEquals(Set.of(), source.versions());
        assertEquals(Optional.empty(), source.extensions(TalosVersion.parse("v1.11.0")));
    }

    @Test
    void readsManifestsOfAVersionWhateverTheDirectorySpelling() throws IOException {
        Path release = Files.createDirectories(root.resolve("1.11.0"));
        Files.createDirectories(release.resolve("extensions"));
        Files.createDirectories(release.resolve("overlays"));
        Files.writeString(release.resolve("extensions/image-digests"), "ghcr.io/siderolabs/gvisor:20250707.0@" + D1 + "\n");
        Files.writeString(release.resolve("extensions/descriptions.yaml"),
                "ghcr.io/siderolabs/gvisor:20250707.0@" + D1 + ": {author: Sidero Labs, description: gVisor}\n");
        Files.writeString(release.resolve("overlays/overlays.yaml"),
                "overlays:\n  - {name: rpi_generic, image: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5}\n");
        DirectoryReleaseSource source = new DirectoryReleaseSource(root);
        TalosVersion v = TalosVersion.parse("v1.11.0");

        List<OfficialExtension> extensions = source.extensions(v).orElseThrow();
        assertEquals(1, extensions.size());
        assertEquals("siderolabs/gvisor", extensions.get(0).name());
        assertEquals("Sidero Labs", extensions.get(0).author());
        assertEquals("rpi_generic", source.overlays(v).orElseThrow().get(0).name());
    }

    @Test
    void absentFilesAreAbsentManifests() throws IOException {
        Files.createDirectories(root.resolve("v1.11.0/extensions"));
        Files.writeString(root.resolve("v1.11.0/extensions/descriptions.yaml"), "{}"); // descriptions alone are no manifest
        DirectoryReleaseSource source = new DirectoryReleaseSource(root);
        assertTrue(source.extensions(TalosVersion.parse("v1.11.0")).isEmpty());
        assertTrue(source.overlays(TalosVersion.parse("v1.11.0")).isEmpty());
        assertTrue(source.extensions(TalosVersion.parse("v1.12.0")).isEmpty());
    }
}
