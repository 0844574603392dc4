package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogFilesLoaderTest {

    static final String D1 = "sha256:" + "c".repeat(64);

    @TempDir
    Path dir;

    @Test
    void loadsRangeFilesAndAliases() throws IOException {
        write("extensions-catalog/talos-1.11.yaml", """
                # a comment
                talos: {from: v1.11.0, until: v1.12.0}
                extensions:
                  - name: siderolabs/intel-ucode
                    ref: ghcr.io/siderolabs/intel-ucode:20250812
                    digest: %s
                    author: Sidero Labs
                    description: |
                      [core] Intel microcode.
                  - name: siderolabs/gvisor
                    ref: ghcr.io/siderolabs/gvisor:20250707.0
                """.formatted(D1));
        write("extensions-catalog/talos-1.12.yaml", "talos: {from: v1.12.0}\nextensions: []\n");
        write("extensions-catalog/aliases.yaml", "aliases:\n  siderolabs/i915-ucode: siderolabs/i915\n");
        write("extensions-catalog/README.md", "not yaml: [");
        write("overlays/talos-1.11.yaml", """
                talos: {from: v1.11.0, until: v1.12.0}
                overlays:
                  - {name: rpi_generic, image: siderolabs/sbc-raspberrypi, ref: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5}
                """);

        CatalogFiles files = CatalogFilesLoader.load(dir);

        List<OfficialExtension> v1110 = files.extensionsFor(TalosVersion.parse("v1.11.3"));
        assertEquals(List.of("siderolabs/intel-ucode", "siderolabs/gvisor"), v1110.stream().map(OfficialExtension::name).toList());
        assertEquals(new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/intel-ucode:20250812"), D1, "Sidero Labs",
                "[core] Intel microcode.\n"), v1110.get(0));
        assertEquals("", v1110.get(1).digest());
        assertEquals(List.of(), files.extensionsFor(TalosVersion.parse("v1.12.0")));
        // semver precedence: v1.12.0-alpha.1 sorts before "until: v1.12.0", so the 1.11 file covers it
        assertEquals(v1110, files.extensionsFor(TalosVersion.parse("v1.12.0-alpha.1")));
        assertEquals(List.of(), files.extensionsFor(TalosVersion.parse("v1.10.9")));
        assertEquals(Optional.of("siderolabs/i915"), files.aliases().currentName("siderolabs/i915-ucode"));
        assertEquals("siderolabs/sbc-raspberrypi", files.overlaysFor(TalosVersion.parse("v1.11.0")).get(0).image());
    }

    @Test
    void missingFoldersMeanAnEmptyCatalog() {
        CatalogFiles files = CatalogFilesLoader.load(dir.resolve("absent"));
        assertEquals(List.of(), files.extensionFiles());
        assertEquals(List.of(), files.overlayFiles());
        assertTrue(files.aliases().currentName("siderolabs/i915-ucode").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "extensions: []|missing \"talos\"",
        "talos: {from: v1.11}|talos.from: invalid Talos version \"v1.11\"",
        "talos: {from: v1.11.0, until: v1.11.0}|empty range",
        "talos: {from: v1.11.0, to: v1.12.0}|talos: unknown key(s) [to]",
        "talos: {from: v1.11.0}\\nextension: []|top level: unknown key(s) [extension]",
        "talos: {from: v1.11.0}\\nextensions: {a: b}|extensions: expected a list",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/a}]|extensions[0]: missing \"ref\"",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/b, ref: 'ghcr.io/siderolabs/a:1'}]|extensions[0]: name \"siderolabs/b\" is not the repository of ref ghcr.io/siderolabs/a:1",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/a, ref: 'ghcr.io/siderolabs/a:1', digest: 'sha256:00'}]|extensions[0].digest: invalid digest",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/a, ref: 'ghcr.io/siderolabs/a:1', descripton: x}]|extensions[0]: unknown key(s) [descripton]",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/a, ref: 'ghcr.io/siderolabs/a:1', author: 2024}]|extensions[0].author: expected a string",
        "talos: {from: v1.11.0}\\nextensions: [{name: siderolabs/a, ref: 'ghcr.io/siderolabs/a:1'}, {name: siderolabs/a, ref: 'ghcr.io/siderolabs/a:2'}]|extensions[1]: \"siderolabs/a\" is listed twice",
        "talos: {from: v1.11.0}\\ntalos: {from: v1.12.0}|not valid YAML",
        "talos: [|not valid YAML",
    })
    void malformedExtensionFilesFailNamingFileAndProblem(String yaml, String problem) throws IOException {
        write("extensions-catalog/talos-bad.yaml", yaml.replace("\\n", "\n"));
        CatalogFileException e = assertThrows(CatalogFileException.class, () -> CatalogFilesLoader.load(dir));
        assertTrue(e.getMessage().startsWith("catalog file " + dir.resolve("extensions-catalog/talos-bad.yaml") + ": "),
                e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void malformedOverlayFileFails() throws IOException {
        write("overlays/talos-1.11.yaml", """
                talos: {from: v1.11.0}
                overlays:
                  - {name: rpi_generic, image: siderolabs/sbc-rockchip, ref: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5}
                """);
        CatalogFileException e = assertThrows(CatalogFileException.class, () -> CatalogFilesLoader.load(dir));
        assertTrue(e.getMessage().contains("overlays[0]: image \"siderolabs/sbc-rockchip\" is not the repository of ref"),
                e.getMessage());
    }

    @Test
    void overlappingRangesFail() throws IOException {
        write("extensions-catalog/a.yaml", "talos: {from: v1.11.0, until: v1.12.0}\n");
        write("extensions-catalog/b.yaml", "talos: {from: v1.11.5}\n");
        CatalogFileException e = assertThrows(CatalogFileException.class, () -> CatalogFilesLoader.load(dir));
        assertTrue(e.getMessage().contains("b.yaml: range [v1.11.5, …) overlaps [v1.11.0, v1.12.0) of"), e.getMessage());
    }

    @Test
    void adjacentRangesDoNotOverlap() throws IOException {
        write("extensions-catalog/a.yaml", "talos: {from: v1.11.0, until: v1.12.0}\n");
        write("extensions-catalog/b.yaml", "talos: {from: v1.12.0}\n");
        assertEquals(2, CatalogFilesLoader.load(dir).extensionFiles().size());
    }

    @Test
    void malformedAliasesFail() throws IOException {
        write("extensions-catalog/aliases.yaml", "aliases:\n  siderolabs/a: [siderolabs/b]\n");
        CatalogFileException e = assertThrows(CatalogFileException.class, () -> CatalogFilesLoader.load(dir));
        assertTrue(e.getMessage().contains("aliases.yaml: aliases: siderolabs/a: expected old-name: new-name strings"),
                e.getMessage());
    }

    /** The data shipped in the repository must load, or the service would not start. */
    @Test
    void repositoryCatalogLoads() {
        CatalogFiles files = CatalogFilesLoader.load(Path.of("."));
        assertTrue(files.extensionFiles().size() >= 5);

        List<OfficialExtension> v1112 = files.extensionsFor(TalosVersion.parse("v1.11.2"));
        OfficialExtension intel = v1112.stream().filter(e -> e.name().equals("siderolabs/intel-ucode")).findFirst().orElseThrow();
        // talos internal/integration/cli/testdata/images/talos-bundle-1.11.2.txt
        assertEquals("ghcr.io/siderolabs/intel-ucode:20250812", intel.ref().toString());
        assertEquals("sha256:84ada70546d2f8d28d209ccfc7895c2cd0fa5f623815dcd45e6b118a06ad0959", intel.digest());
        assertEquals("[core] This system extension provides Intel microcode binaries.\n", intel.description());
        assertTrue(v1112.stream().allMatch(e -> !e.digest().isEmpty()));

        List<String> v177 = files.extensionsFor(TalosVersion.parse("v1.7.7")).stream().map(OfficialExtension::name).toList();
        assertTrue(v177.contains("siderolabs/i915-ucode") && !v177.contains("siderolabs/i915"), v177.toString());
        assertTrue(v177.contains("siderolabs/nvidia-open-gpu-kernel-modules"), v177.toString());

        for (String v : List.of("v1.10.0", "v1.11.0", "v1.12.0")) {
            List<String> names = files.extensionsFor(TalosVersion.parse(v)).stream().map(OfficialExtension::name).toList();
            for (String required : List.of("intel-ucode", "amd-ucode", "i915", "amdgpu", "nvidia-open-gpu-kernel-modules-lts",
                    "nvidia-open-gpu-kernel-modules-production", "nvidia-container-toolkit-lts",
                    "nvidia-container-toolkit-production", "qemu-guest-agent", "iscsi-tools", "util-linux-tools", "gvisor",
                    "drbd", "btrfs", "nut-client", "cloudflared", "bnx2-bnx2x", "tailscale", "zfs")) {
                assertTrue(names.contains("siderolabs/" + required), v + " lacks " + required);
            }
        }

        List<String> overlays170 = files.overlaysFor(TalosVersion.parse("v1.7.7")).stream().map(OfficialOverlay::name).toList();
        // the list image-factory's integration test (meta_test.go) expects for 1.7
        assertEquals(List.of("rpi_generic", "rockpi4", "rockpi4c", "rock4cplus", "nanopi-r4s", "rock64",
                "orangepi-r1-plus-lts", "jetson_nano", "bananapi_m64", "libretech_all_h3_cc_h5", "pine64"), overlays170);
        assertFalse(files.overlaysFor(TalosVersion.parse("v1.12.0")).isEmpty());
        assertEquals(Optional.of("siderolabs/i915"), files.aliases().currentName("siderolabs/i915-ucode"));
        assertEquals(11, files.aliases().oldToNew().size());
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
