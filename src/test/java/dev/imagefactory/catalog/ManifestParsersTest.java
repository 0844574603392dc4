package dev.imagefactory.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParsersTest {

    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    @Test
    void readsImageDigestsInLineOrderWithDescriptions() {
        String digests = "ghcr.io/siderolabs/zfs:2.3.3-v1.11.2@" + D1 + "\n\n"
                + "  ghcr.io/siderolabs/amd-ucode:20250917@" + D2 + "  \n"
                + "a line without a digest is skipped, as upstream does\n";
        String descriptions = "ghcr.io/siderolabs/zfs:2.3.3-v1.11.2@" + D1 + ":\n"
                + "  author: Aenix, Enix\n"
                + "  description: |\n"
                + "    [extra] ZFS.\n";
        List<OfficialExtension> list = ExtensionManifestParser.parse(digests, descriptions, "v1.11.2");
        assertEquals(List.of(
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/zfs:2.3.3-v1.11.2"), D1, "Aenix, Enix", "[extra] ZFS.\n"),
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/amd-ucode:20250917"), D2, "", "")), list);
        assertEquals("siderolabs/zfs", list.get(0).name());
    }

    @Test
    void descriptionsAreOptional() {
        List<OfficialExtension> list = ExtensionManifestParser.parse("ghcr.io/siderolabs/zfs:1@" + D1 + "\n", null, "x");
        assertEquals("", list.get(0).author());
    }

    @Test
    void malformedLinesNameTheSourceAndLine() {
        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> ExtensionManifestParser.parse("ghcr.io/siderolabs/zfs:1@" + D1 + "\nghcr.io/Bad:1@" + D2, null, "rel/v1.11.0"));
        assertEquals("rel/v1.11.0: image-digests line 2: invalid tagged reference \"ghcr.io/Bad:1@" + D2 + "\"", e.getMessage());
        e = assertThrows(ReleaseDataException.class,
                () -> ExtensionManifestParser.parse("ghcr.io/siderolabs/zfs:1@sha256:abc", null, "r"));
        assertTrue(e.getMessage().contains("invalid digest"), e.getMessage());
        e = assertThrows(ReleaseDataException.class,
                () -> ExtensionManifestParser.parse("", "- a list\n- not a map", "r"));
        assertEquals("r: descriptions.yaml: top level: expected a mapping", e.getMessage());
    }

    @Test
    void readsOverlaysYaml() {
        String yaml = "overlays:\n"
                + "  - name: rpi_generic\n    image: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5\n    digest: " + D1 + "\n"
                + "  - name: rock64\n    image: ghcr.io/siderolabs/sbc-rockchip:v0.1.5\n    future: ignored\n";
        List<OfficialOverlay> list = OverlayManifestParser.parse(yaml, "v1.11.2");
        assertEquals(List.of(
                new OfficialOverlay("rpi_generic", ImageRef.parse("ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5"), D1),
                new OfficialOverlay("rock64", ImageRef.parse("ghcr.io/siderolabs/sbc-rockchip:v0.1.5"), "")), list);
        assertEquals("siderolabs/sbc-rockchip", list.get(1).image());
        assertEquals(List.of(), OverlayManifestParser.parse("", "x"));
    }

    @Test
    void malformedOverlaysNameTheSource() {
        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> OverlayManifestParser.parse("overlays:\n  - name: a\n    image: not a ref\n", "rel/v1.11.0"));
        assertEquals("rel/v1.11.0: overlays.yaml: overlays[0].image: invalid tagged reference \"not a ref\"", e.getMessage());
        e = assertThrows(ReleaseDataException.class, () -> OverlayManifestParser.parse("overlays: [\n", "r"));
        assertTrue(e.getMessage().startsWith("r: overlays.yaml: not valid YAML"), e.getMessage());
    }
}
