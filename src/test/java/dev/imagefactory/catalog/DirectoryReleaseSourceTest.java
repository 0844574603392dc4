package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciLayoutWriter;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.TarLayer;
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

    static final String EXTENSION_MANIFEST = "version: v1alpha1\nmetadata:\n  name: hello\n  version: 1.0\n";

    @TempDir
    Path data;

    /** A release listing one extension, whose image is the OCI layout {@code extension-images/standin/hello}. */
    OciLayoutWriter releaseWithLayoutExtension() throws IOException {
        Files.createDirectories(root.resolve("v1.11.0/extensions"));
        Files.writeString(root.resolve("v1.11.0/extensions/image-digests"), "ghcr.io/standin/hello:1.0@" + D1 + "\n");
        return new OciLayoutWriter(root.resolve("v1.11.0/extension-images/standin/hello"));
    }

    Descriptor extensionImage(OciLayoutWriter layout, String arch, TarLayer... extra) {
        List<TarLayer> layers = new java.util.ArrayList<>(List.of(new TarLayer()
                .file("manifest.yaml", 0644, EXTENSION_MANIFEST)
                .dir("rootfs/", 0755)
                .file("rootfs/usr/lib/firmware/blob", 0644, "firmware for " + arch)
                .file("rootfs/usr/lib/firmware/stale", 0644, "removed by the next layer")));
        layers.add(new TarLayer().whiteout("rootfs/usr/lib/firmware/stale"));
        layers.addAll(List.of(extra));
        return layout.image(Platform.linux(arch), layers, TarLayer.Compression.GZIP);
    }

    @Test
    void extensionImagesGivenAsOciLayoutsAreFlattenedOncePerArchitecture() throws IOException {
        OciLayoutWriter layout = releaseWithLayoutExtension();
        Descriptor amd = extensionImage(layout, "amd64");
        Descriptor arm = extensionImage(layout, "arm64");
        layout.root(layout.index(List.of(amd, arm)));
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialExtension hello = source.extensions(v).orElseThrow().get(0);

        ExtensionImage image = source.extensionImage(v, hello, Arch.AMD64);
        assertEquals("standin/hello", image.name());
        assertEquals(amd.digest().toString(), image.identity());
        assertEquals(data.resolve("extensions/amd64-sha256-" + amd.digest().hex()), image.root());
        assertEquals(EXTENSION_MANIFEST, Files.readString(image.manifest()));
        assertEquals("firmware for amd64", Files.readString(image.rootfs().resolve("usr/lib/firmware/blob")));
        assertTrue(Files.notExists(image.rootfs().resolve("usr/lib/firmware/stale")));

        Files.writeString(image.rootfs().resolve("usr/lib/firmware/blob"), "marker"); // proves the second call reuses it
        assertEquals("marker", Files.readString(source.extensionImage(v, hello, Arch.AMD64)
                .rootfs().resolve("usr/lib/firmware/blob")));
        ExtensionImage armImage = source.extensionImage(v, hello, Arch.ARM64);
        assertEquals(arm.digest().toString(), armImage.identity());
        assertEquals("firmware for arm64", Files.readString(armImage.rootfs().resolve("usr/lib/firmware/blob")));
        try (var entries = Files.list(data.resolve("extensions"))) {
            assertEquals(2, entries.count(), "two entries, no scratch directories left");
        }
    }

    @Test
    void extraExtensionsComeFromTheConfiguredFolderWithTheirOwnImages() throws IOException {
        OciLayoutWriter official = releaseWithLayoutExtension();
        official.root(official.index(List.of(extensionImage(official, "amd64"))));
        Path extraDir = Files.createDirectories(root.resolve("v1.11.0/extra-extensions"));
        OciLayoutWriter custom = new OciLayoutWriter(extraDir.resolve("extension-images/acme/usb-modem"));
        Descriptor customImage = custom.image(Platform.linux("amd64"), List.of(new TarLayer()
                .file("manifest.yaml", 0644, EXTENSION_MANIFEST.replace("hello", "usb-modem"))
                .file("rootfs/usr/local/share/acme/modem.txt", 0644, "custom")), TarLayer.Compression.GZIP);
        Descriptor customIndex = custom.index(List.of(customImage));
        custom.root(customIndex);
        String line = "registry.acme.example/acme/usb-modem:1.0@" + customIndex.digest();
        Files.writeString(extraDir.resolve("image-digests"), "# custom extensions\n" + line + "\n");
        Files.writeString(extraDir.resolve("descriptions.yaml"), line + ": {author: Acme, description: modem}\n");
        TalosVersion v = TalosVersion.parse("v1.11.0");

        assertTrue(new DirectoryReleaseSource(root, new ReleaseCache(data)).extraExtensions(v).isEmpty(),
                "no folder configured: no extra extensions");
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data), Optional.of("extra-extensions"));
        assertTrue(source.extraExtensions(TalosVersion.parse("v1.12.0")).isEmpty(), "no such version");
        OfficialExtension modem = source.extraExtensions(v).orElseThrow().get(0);
        assertEquals("acme/usb-modem", modem.name());
        assertEquals("Acme", modem.author());
        assertEquals(List.of("standin/hello"), source.extensions(v).orElseThrow().stream().map(OfficialExtension::name).toList());

        ExtensionImage image = source.extensionImage(v, modem, Arch.AMD64);
        assertEquals(customImage.digest().toString(), image.identity());
        assertEquals("custom", Files.readString(image.rootfs().resolve("usr/local/share/acme/modem.txt")));
        assertEquals("standin/hello", source.extensionImage(v, source.extensions(v).orElseThrow().get(0), Arch.AMD64).name());

        Files.delete(extraDir.resolve("image-digests")); // the folder without its manifest lists nothing
        assertTrue(source.extraExtensions(v).isEmpty());
    }

    @Test
    void anExtraExtensionWithoutItsImageIsNamedInTheError() throws IOException {
        Path extraDir = Files.createDirectories(root.resolve("v1.11.0/extra-extensions"));
        Files.writeString(extraDir.resolve("image-digests"), "registry.acme.example/acme/usb-modem:1.0@" + D1 + "\n");
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data), Optional.of("extra-extensions"));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialExtension modem = source.extraExtensions(v).orElseThrow().get(0);
        ReleaseDataException e = assertThrows(ReleaseDataException.class, () -> source.extensionImage(v, modem, Arch.AMD64));
        assertEquals("release v1.11.0 lists extension acme/usb-modem but has no"
                + " extra-extensions/extension-images/acme/usb-modem directory", e.getMessage());
    }

    @Test
    void anImageThatIsNotAnExtensionIsRefusedAndNotCached() throws IOException {
        OciLayoutWriter layout = releaseWithLayoutExtension();
        layout.root(extensionImage(layout, "amd64", new TarLayer().file("README", 0644, "stray")));
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialExtension hello = source.extensions(v).orElseThrow().get(0);

        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> source.extensionImage(v, hello, Arch.AMD64));
        assertTrue(e.getMessage().contains("exactly manifest.yaml and rootfs/, it holds README, manifest.yaml, rootfs"),
                e.getMessage());
        try (var entries = Files.list(data.resolve("extensions"))) {
            assertEquals(0, entries.count());
        }
        assertThrows(ReleaseDataException.class, () -> new DirectoryReleaseSource(root)
                .extensionImage(v, hello, Arch.AMD64), "no cache directory to flatten into");
    }

    @Test
    void plainExtensionDirectoriesAreUsedInPlace() throws IOException {
        Files.createDirectories(root.resolve("v1.11.0/extensions"));
        Path dir = Files.createDirectories(root.resolve("v1.11.0/extension-images/standin/hello"));
        Files.writeString(root.resolve("v1.11.0/extensions/image-digests"), "ghcr.io/standin/hello:1.0@" + D1 + "\n");
        Files.writeString(dir.resolve("manifest.yaml"), EXTENSION_MANIFEST);
        Files.createDirectories(dir.resolve("rootfs/usr"));
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        ExtensionImage image = source.extensionImage(v, source.extensions(v).orElseThrow().get(0), Arch.ARM64);
        assertEquals(dir, image.root());
        assertTrue(image.identity().startsWith("tree:"));
        assertNotEquals(D1, image.identity());
    }

    // --- overlay images (talos-imager.md §1.7) ------------------------------------------------------------------------

    /** A release listing overlays {@code board-a} and {@code board-b} of one image, {@code overlay-images/standin/sbc}. */
    OciLayoutWriter releaseWithOverlay() throws IOException {
        pinOverlays(D1);
        return new OciLayoutWriter(root.resolve("v1.11.0/overlay-images/standin/sbc"));
    }

    /** overlays.yaml with both boards pinned to {@code digest}. */
    void pinOverlays(Object digest) throws IOException {
        Files.createDirectories(root.resolve("v1.11.0/overlays"));
        Files.writeString(root.resolve("v1.11.0/overlays/overlays.yaml"), "overlays:\n"
                + "  - {name: board-a, image: ghcr.io/standin/sbc:v0.1.0, digest: " + digest + "}\n"
                + "  - {name: board-b, image: ghcr.io/standin/sbc:v0.1.0, digest: " + digest + "}\n");
    }

    static Descriptor overlayImage(OciLayoutWriter layout, String arch, TarLayer... extra) {
        List<TarLayer> layers = new java.util.ArrayList<>(List.of(new TarLayer()
                .dir("installers/", 0755)
                .file("installers/board-a", 0755, "board-a installer for " + arch)
                .file("artifacts/" + arch + "/firmware/boot.bin", 0644, "boot for " + arch)
                .file("profiles/board-a.yaml", 0644, "arch: " + arch + "\n")));
        layers.addAll(List.of(extra));
        return layout.image(Platform.linux(arch), layers, TarLayer.Compression.GZIP);
    }

    @Test
    void overlayImagesAreFlattenedOncePerArchitecture() throws IOException {
        OciLayoutWriter layout = releaseWithOverlay();
        Descriptor amd = overlayImage(layout, "amd64");
        Descriptor arm = overlayImage(layout, "arm64");
        Descriptor index = layout.index(List.of(amd, arm));
        layout.root(index);
        pinOverlays(index.digest());
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialOverlay boardA = source.overlays(v).orElseThrow().get(0);
        assertEquals("standin/sbc", boardA.image());

        OverlayImage image = source.overlayImage(v, boardA, Arch.ARM64);
        assertEquals("board-a", image.name());
        assertEquals(arm.digest().toString(), image.identity());
        assertEquals(data.resolve("overlays/arm64-sha256-" + arm.digest().hex()), image.root());
        assertEquals(image.root().resolve("installers/board-a"), image.installer());
        assertEquals("board-a installer for arm64", Files.readString(image.installer()));
        assertEquals("boot for arm64", Files.readString(image.artifacts().resolve("arm64/firmware/boot.bin")));
        assertEquals("arch: arm64\n", Files.readString(image.profiles().resolve("board-a.yaml")));

        Files.writeString(image.installer(), "marker"); // proves the second call reuses the flattened tree
        assertEquals("marker", Files.readString(source.overlayImage(v, boardA, Arch.ARM64).installer()));
        OverlayImage amdImage = source.overlayImage(v, boardA, Arch.AMD64);
        assertEquals(amd.digest().toString(), amdImage.identity());
        assertEquals("board-a installer for amd64", Files.readString(amdImage.installer()));

        // board-b shares the image, which has no installer for it
        OfficialOverlay boardB = source.overlays(v).orElseThrow().get(1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> source.overlayImage(v, boardB, Arch.AMD64));
        assertEquals("overlay \"board-b\": its image ghcr.io/standin/sbc:v0.1.0 (amd64) has no installer for overlay"
                + " \"board-b\" (installers/board-b)", e.getMessage());
    }

    @Test
    void anOverlayWithoutItsImageOrInstallersIsRefusedAndNotCached() throws IOException {
        OciLayoutWriter layout = releaseWithOverlay();
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialOverlay boardA = source.overlays(v).orElseThrow().get(0);
        ReleaseDataException missing = assertThrows(ReleaseDataException.class,
                () -> source.overlayImage(v, boardA, Arch.AMD64));
        assertTrue(missing.getMessage().contains("overlay-images/standin/sbc"), missing.getMessage());

        Descriptor stray = layout.image(Platform.linux("amd64"), List.of(new TarLayer().file("README", 0644, "stray")),
                TarLayer.Compression.GZIP);
        layout.root(stray);
        pinOverlays(stray.digest());
        OfficialOverlay strayBoard = source.overlays(v).orElseThrow().get(0);
        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> source.overlayImage(v, strayBoard, Arch.AMD64));
        assertTrue(e.getMessage().contains("is not an overlay image"), e.getMessage());
        try (var entries = Files.list(data.resolve("overlays"))) {
            assertEquals(0, entries.count());
        }
        assertThrows(ReleaseDataException.class, () -> new DirectoryReleaseSource(root)
                .overlayImage(v, strayBoard, Arch.AMD64), "no cache directory to flatten into");
    }

    /** The installer that runs must come from the image overlays.yaml pins, not whatever index.json holds. */
    @Test
    void anOverlayLayoutWithoutThePinnedImageIsRefusedAndNothingIsFlattened() throws IOException {
        OciLayoutWriter layout = releaseWithOverlay();
        Descriptor pinned = layout.index(List.of(overlayImage(layout, "amd64")));
        Descriptor other = layout.index(List.of(overlayImage(layout, "amd64",
                new TarLayer().file("installers/board-a", 0755, "not the pinned installer"))));
        layout.root(other);
        pinOverlays(pinned.digest());
        DirectoryReleaseSource source = new DirectoryReleaseSource(root, new ReleaseCache(data));
        TalosVersion v = TalosVersion.parse("v1.11.0");
        OfficialOverlay boardA = source.overlays(v).orElseThrow().get(0);
        ReleaseDataException e = assertThrows(ReleaseDataException.class, () -> source.overlayImage(v, boardA, Arch.AMD64));
        assertTrue(e.getMessage().contains("index.json does not name " + pinned.digest()), e.getMessage());
        assertTrue(Files.notExists(data.resolve("overlays")) || Files.list(data.resolve("overlays")).findAny().isEmpty());

        layout.root(other, pinned);   // both named: the pinned one is used
        assertEquals("board-a installer for amd64",
                Files.readString(source.overlayImage(v, boardA, Arch.AMD64).installer()));
    }

    // --- base installer images (talos-imager.md §1.2) ---------------------------------------------------------------

    /** A v1.9.0 "installer" (two layers, amd64 and arm64) and a v1.11.0 "installer-base" (one layer, amd64 only). */
    private void releasesWithInstallerImages() {
        OciLayoutWriter installer = new OciLayoutWriter(root.resolve("v1.9.0/installer"));
        TarLayer binary = new TarLayer().file("usr/bin/installer", 0755, "#!/bin/sh\n").symlink("bin", "usr/bin");
        installer.root(installer.index(List.of(
                installer.image(Platform.linux("amd64"), List.of(binary,
                        new TarLayer().file("usr/install/amd64/vmlinuz", 0644, "amd64 kernel")), TarLayer.Compression.GZIP),
                installer.image(Platform.linux("arm64"), List.of(binary,
                        new TarLayer().file("usr/install/arm64/vmlinuz", 0644, "arm64 kernel")), TarLayer.Compression.GZIP))));
        OciLayoutWriter base = new OciLayoutWriter(root.resolve("v1.11.0/installer-base"));
        base.root(base.index(List.of(base.image(Platform.linux("amd64"), List.of(binary), TarLayer.Compression.GZIP))));
    }

    @Test
    void installerBaseImagesAreReadPerArchitectureWithVerifiedBlobsInPlace() throws IOException {
        releasesWithInstallerImages();
        DirectoryReleaseSource source = new DirectoryReleaseSource(root);
        TalosVersion v19 = TalosVersion.parse("v1.9.0");
        TalosVersion v111 = TalosVersion.parse("v1.11.0");

        for (Arch arch : Arch.values()) {
            BaseImage image = source.installerBase(v19, arch, InstallerBaseKind.INSTALLER).orElseThrow();
            assertEquals("siderolabs/installer:v1.9.0", image.reference());
            assertEquals(image.configDigest(), "sha256:" + Digests.sha256(image.config()).digest().hex());
            assertTrue(Files.readString(image.config()).contains("\"architecture\":\"" + arch + "\""));
            assertEquals(2, image.layers().size());
            for (BaseLayer layer : image.layers()) {
                assertEquals(root.resolve("v1.9.0/installer/blobs/sha256").resolve(layer.descriptor().digest().hex()),
                        layer.blob(), "used in place");
                assertEquals(layer.descriptor().size(), Files.size(layer.blob()));
                assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.descriptor().mediaType());
                assertEquals(layer.diffId(), "sha256:" + sha256(gunzip(Files.readAllBytes(layer.blob()))));
            }
            assertTrue(gunzipText(image.layers().get(1).blob()).contains(arch + " kernel"), arch.toString());
        }
        assertEquals(source.installerBase(v19, Arch.AMD64, InstallerBaseKind.INSTALLER).orElseThrow().layers().get(0),
                source.installerBase(v19, Arch.ARM64, InstallerBaseKind.INSTALLER).orElseThrow().layers().get(0),
                "the same first layer for both architectures");

        BaseImage base = source.installerBase(v111, Arch.AMD64, InstallerBaseKind.INSTALLER_BASE).orElseThrow();
        assertEquals("siderolabs/installer-base:v1.11.0", base.reference());
        assertEquals(1, base.layers().size());
        assertEquals(Optional.empty(), source.installerBase(v111, Arch.ARM64, InstallerBaseKind.INSTALLER_BASE),
                "no arm64 image in the index");
        assertEquals(Optional.empty(), source.installerBase(v111, Arch.AMD64, InstallerBaseKind.INSTALLER),
                "no installer/ folder");
        assertEquals(Optional.empty(), source.installerBase(TalosVersion.parse("v1.12.0"), Arch.AMD64,
                InstallerBaseKind.INSTALLER_BASE), "no such release");
    }

    @Test
    void aCorruptedInstallerBlobIsReportedWithItsFile() throws IOException {
        releasesWithInstallerImages();
        TalosVersion v19 = TalosVersion.parse("v1.9.0");
        BaseImage image = new DirectoryReleaseSource(root).installerBase(v19, Arch.ARM64, InstallerBaseKind.INSTALLER)
                .orElseThrow();
        Path blob = image.layers().get(1).blob();
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(blob, bytes);

        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> new DirectoryReleaseSource(root).installerBase(v19, Arch.ARM64, InstallerBaseKind.INSTALLER));
        assertTrue(e.getMessage().contains(blob.toString()) && e.getMessage().contains("does not match its digest"),
                e.getMessage());
        assertTrue(new DirectoryReleaseSource(root).installerBase(v19, Arch.AMD64, InstallerBaseKind.INSTALLER)
                .isPresent(), "the other architecture's blobs are intact");
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static String gunzipText(Path gz) throws IOException {
        return new String(gunzip(Files.readAllBytes(gz)), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String sha256(byte[] bytes) {
        return Digests.sha256(bytes).hex();
    }
}
