package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {

    static final String RELEASE_AMD = "sha256:" + "1".repeat(64);
    static final String RELEASE_INTEL = "sha256:" + "2".repeat(64);
    static final String CATALOG_INTEL = "sha256:" + "3".repeat(64);

    @TempDir
    Path releases;

    @TempDir
    Path catalogDir;

    Catalog catalog;

    @BeforeEach
    void setUp() throws IOException {
        for (String v : List.of("v1.6.0", "v1.8.0", "v1.11.0", "v1.12.0", "v1.12.1-beta.0", "v1.11.1-beta.0")) {
            Files.createDirectories(releases.resolve(v));
        }
        write(releases, "v1.11.0/extensions/image-digests", """
                ghcr.io/siderolabs/amd-ucode:20250917@%s
                ghcr.io/siderolabs/intel-ucode:20250812@%s
                ghcr.io/siderolabs/i915:20250917-v1.11.0@%s
                """.formatted(RELEASE_AMD, RELEASE_INTEL, RELEASE_AMD));
        write(releases, "v1.11.0/extensions/descriptions.yaml", """
                ghcr.io/siderolabs/intel-ucode:20250812@%s:
                  author: Release Author
                  description: from the release
                """.formatted(RELEASE_INTEL));
        write(releases, "v1.11.0/overlays/overlays.yaml", """
                overlays:
                  - {name: rpi_generic, image: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5, digest: %s}
                """.formatted(RELEASE_AMD));
        write(catalogDir, "extensions-catalog/talos-1.11.yaml", """
                talos: {from: v1.11.0, until: v1.12.0-0}
                extensions:
                  - {name: siderolabs/gvisor, ref: 'ghcr.io/siderolabs/gvisor:20250707.0', author: Sidero Labs, description: catalog gvisor}
                  - {name: siderolabs/intel-ucode, ref: 'ghcr.io/siderolabs/intel-ucode:20250505', digest: %s, author: Catalog Author, description: catalog intel}
                  - {name: siderolabs/amd-ucode, ref: 'ghcr.io/siderolabs/amd-ucode:20250505', author: Sidero Labs, description: catalog amd}
                """.formatted(CATALOG_INTEL));
        write(catalogDir, "extensions-catalog/talos-1.8.yaml", """
                talos: {from: v1.8.0, until: v1.9.0}
                extensions:
                  - {name: siderolabs/i915-ucode, ref: 'ghcr.io/siderolabs/i915-ucode:20240909'}
                """);
        write(catalogDir, "extensions-catalog/aliases.yaml",
                "aliases:\n  siderolabs/i915-ucode: siderolabs/i915\n  siderolabs/gone: siderolabs/never-existed\n");
        write(catalogDir, "overlays/talos-1.11.yaml", """
                talos: {from: v1.11.0, until: v1.12.0}
                overlays:
                  - {name: rock64, image: siderolabs/sbc-rockchip, ref: 'ghcr.io/siderolabs/sbc-rockchip:v0.1.5'}
                  - {name: rpi_generic, image: siderolabs/sbc-raspberrypi, ref: 'ghcr.io/siderolabs/sbc-raspberrypi:v0.1.4'}
                """);
        VersionFilter filter = new VersionFilter(TalosVersion.of(1, 2, 0), List.of(TalosVersion.of(1, 12, 0)), "debian");
        catalog = new Catalog(new DirectoryReleaseSource(releases), filter, CatalogFilesLoader.load(catalogDir));
    }

    @Test
    void versionsAreTheFilteredReleaseSourceVersions() {
        assertEquals(List.of("v1.6.0", "v1.8.0", "v1.11.0", "v1.12.1-beta.0"),
                catalog.versions().stream().map(TalosVersion::toString).toList());
        assertEquals(List.of(TalosVersion.of(1, 12, 0)), catalog.brokenVersions());
    }

    @Test
    void releaseWinsPerNameThenCatalogOnlyEntriesFollow() {
        assertEquals(List.of(
                // in the release without description: ref and digest from the release, texts from the catalog
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/amd-ucode:20250917"), RELEASE_AMD, "Sidero Labs", "catalog amd"),
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/intel-ucode:20250812"), RELEASE_INTEL, "Release Author",
                        "from the release"),
                // only in the release
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/i915:20250917-v1.11.0"), RELEASE_AMD, "", ""),
                // only in the catalog, no digest known
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/gvisor:20250707.0"), "", "Sidero Labs", "catalog gvisor")),
                catalog.extensions(TalosVersion.parse("1.11.0")));
    }

    @Test
    void extraExtensionsComeFirstAndWinTheNamesTheyShare() throws IOException {
        String custom = "sha256:" + "4".repeat(64);
        write(releases, "v1.11.0/extra-extensions/image-digests", """
                registry.acme.example/acme/usb-modem:1.0@%s
                registry.acme.example/siderolabs/intel-ucode:20250812-acme@%s
                """.formatted(custom, custom));
        write(releases, "v1.11.0/extra-extensions/descriptions.yaml", """
                registry.acme.example/acme/usb-modem:1.0@%s: {author: Acme, description: the modem driver}
                """.formatted(custom));
        Catalog withExtras = new Catalog(new DirectoryReleaseSource(releases, null, java.util.Optional.of("extra-extensions")),
                new VersionFilter(TalosVersion.of(1, 2, 0), List.of(), "debian"), CatalogFilesLoader.load(catalogDir));
        TalosVersion v1110 = TalosVersion.parse("v1.11.0");

        assertEquals(List.of(
                new OfficialExtension(ImageRef.parse("registry.acme.example/acme/usb-modem:1.0"), custom, "Acme", "the modem driver"),
                // the extra entry replaces the official one of the same name, texts and all
                new OfficialExtension(ImageRef.parse("registry.acme.example/siderolabs/intel-ucode:20250812-acme"), custom, "", ""),
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/amd-ucode:20250917"), RELEASE_AMD, "Sidero Labs", "catalog amd"),
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/i915:20250917-v1.11.0"), RELEASE_AMD, "", ""),
                new OfficialExtension(ImageRef.parse("ghcr.io/siderolabs/gvisor:20250707.0"), "", "Sidero Labs", "catalog gvisor")),
                withExtras.extensions(v1110));
        assertEquals(custom, withExtras.resolveExtension("acme/usb-modem", v1110).digest());
        assertEquals(custom, withExtras.resolveExtension("siderolabs/intel-ucode", v1110).digest());
        // a version without the folder, or a source not configured for it, lists what it listed before
        assertEquals(List.of("siderolabs/i915-ucode"),
                withExtras.extensions(TalosVersion.parse("v1.8.0")).stream().map(OfficialExtension::name).toList());
        assertEquals(List.of("siderolabs/amd-ucode", "siderolabs/intel-ucode", "siderolabs/i915", "siderolabs/gvisor"),
                catalog.extensions(v1110).stream().map(OfficialExtension::name).toList());
    }

    @Test
    void withoutReleaseManifestTheCatalogFileAnswers() {
        assertEquals(List.of("siderolabs/i915-ucode"),
                catalog.extensions(TalosVersion.parse("v1.8.0")).stream().map(OfficialExtension::name).toList());
        assertEquals(List.of(), catalog.extensions(TalosVersion.parse("v1.12.1-beta.0")));
    }

    @Test
    void unavailableVersionsAreNotFound() {
        for (String v : List.of("v1.12.0", "v1.11.1-beta.0", "v1.13.0", "v1.1.0")) {
            NotFoundException e = assertThrows(NotFoundException.class, () -> catalog.extensions(TalosVersion.parse(v)));
            assertEquals("version " + v.substring(1) + " is not available", e.getMessage());
        }
        assertThrows(NotFoundException.class, () -> catalog.overlays(TalosVersion.parse("v1.12.0")));
    }

    @Test
    void overlaysMergeLikeExtensions() {
        assertEquals(List.of(
                new OfficialOverlay("rpi_generic", ImageRef.parse("ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5"), RELEASE_AMD),
                new OfficialOverlay("rock64", ImageRef.parse("ghcr.io/siderolabs/sbc-rockchip:v0.1.5"), "")),
                catalog.overlays(TalosVersion.parse("v1.11.0")));
        assertEquals(List.of(), catalog.overlays(TalosVersion.parse("v1.8.0")));
    }

    @Test
    void overlaysBefore17AreEmptyWithoutAvailabilityCheck() {
        assertEquals(List.of(), catalog.overlays(TalosVersion.parse("v1.6.0")));
        assertEquals(List.of(), catalog.overlays(TalosVersion.parse("v1.5.0"))); // not even a release: like upstream
        assertThrows(NotFoundException.class, () -> catalog.overlays(TalosVersion.parse("v1.7.0-alpha.1")));
    }

    @Test
    void resolvesExactNamesFirstThenAliases() {
        TalosVersion v1110 = TalosVersion.parse("v1.11.0");
        TalosVersion v180 = TalosVersion.parse("v1.8.0");
        assertEquals("siderolabs/i915", catalog.resolveExtension("siderolabs/i915-ucode", v1110).name());
        assertEquals("siderolabs/i915-ucode", catalog.resolveExtension("siderolabs/i915-ucode", v180).name());
        assertEquals(RELEASE_INTEL, catalog.resolveExtension("siderolabs/intel-ucode", v1110).digest());

        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> catalog.resolveExtension("siderolabs/i915", v180));
        assertEquals("official extension \"siderolabs/i915\" is not available for Talos version v1.8.0", e.getMessage());
        assertThrows(InvalidInputException.class, () -> catalog.resolveExtension("siderolabs/gone", v1110));
        assertThrows(NotFoundException.class, () -> catalog.resolveExtension("siderolabs/i915", TalosVersion.parse("v1.12.0")));
    }

    @Test
    void resolvesAWholeListInItsOrderWithAliasesAndDuplicates() {
        TalosVersion v1110 = TalosVersion.parse("v1.11.0");
        assertEquals(List.of("siderolabs/intel-ucode", "siderolabs/i915", "siderolabs/intel-ucode"),
                catalog.resolveExtensions(List.of("siderolabs/intel-ucode", "siderolabs/i915-ucode",
                        "siderolabs/intel-ucode"), v1110).stream().map(e -> e.name()).toList());
        assertEquals(List.of(), catalog.resolveExtensions(List.of(), TalosVersion.parse("v1.12.0")));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> catalog.resolveExtensions(List.of("siderolabs/intel-ucode", "siderolabs/gone"), v1110));
        assertEquals("official extension \"siderolabs/gone\" is not available for Talos version v1.11.0", e.getMessage());
    }

    private static void write(Path root, String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
