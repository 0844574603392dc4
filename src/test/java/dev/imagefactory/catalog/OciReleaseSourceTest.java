package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.Digests;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.DigestMismatchException;
import dev.imagefactory.oci.LocalRegistry;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.OciLayoutWriter;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.oci.RegistryCredentials;
import dev.imagefactory.oci.RegistryEndpoint;
import dev.imagefactory.oci.TarLayer;
import dev.imagefactory.oci.TarLayer.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * The registry release source against the directory source on the same release: a release is built in the
 * directory layout, pushed into a real registry ({@link LocalRegistry}) in upstream's image layout, and both
 * sources must then give the same versions, manifests, boot file bytes and extension trees.
 */
@Tag("slow")
class OciReleaseSourceTest {

    static final TalosVersion V11 = TalosVersion.parse("v1.11.0");
    static final TalosVersion V12 = TalosVersion.parse("v1.12.0-alpha.1");
    static final String IMAGER = "siderolabs/imager";
    static final Duration RECHECK = Duration.ofMinutes(15);

    static LocalRegistry registry;
    static Path releases;
    /** The digest of each version's pushed imager index, as the registry serves it for the tag. */
    static final java.util.Map<TalosVersion, Descriptor> IMAGER_INDEXES = new java.util.HashMap<>();
    static DirectoryReleaseSource directory;

    @TempDir
    Path data;

    @BeforeAll
    static void publishRelease(@TempDir Path work) throws IOException {
        assertTrue(LocalRegistry.available(), "docker-registry is not installed (apt-get install docker-registry; .ci/run does)");
        registry = LocalRegistry.start(work.resolve("registry"));
        releases = work.resolve("releases");
        RegistryClient client = registry.client();
        Random random = new Random(42);

        for (TalosVersion version : List.of(V11, V12)) {
            Path release = releases.resolve(version.toString());
            TarLayer imagerLayer = new TarLayer().file("usr/bin/imager", 0755, "not a boot file")
                    .symlink("usr/install/amd64/kernel-link", "vmlinuz");
            for (Arch arch : Arch.values()) {
                for (BootFile file : BootFile.values()) {
                    if (version.equals(V12) && arch == Arch.ARM64 && file == BootFile.SD_BOOT) {
                        continue; // a release may lack a boot file: both sources must say so
                    }
                    byte[] bytes = new byte[file == BootFile.INITRAMFS ? 3 << 20 : 256 << 10];
                    random.nextBytes(bytes);
                    Path path = release.resolve(file.pathFor(arch));
                    Files.createDirectories(path.getParent());
                    Files.write(path, bytes);
                    imagerLayer.file(file.pathFor(arch), 0644, bytes);
                }
            }
            // upstream's imager index: both arch variants, the amd64 one (which the factory reads) holds all files
            OciLayoutWriter imager = new OciLayoutWriter(work.resolve("imager-" + version));
            Descriptor amd = imager.image(Platform.linux("amd64"), List.of(imagerLayer), Compression.GZIP);
            Descriptor arm = imager.image(Platform.linux("arm64"),
                    List.of(new TarLayer().file(BootFile.KERNEL.pathFor(Arch.AMD64), 0644, "decoy")), Compression.GZIP);
            Descriptor index = imager.index(List.of(arm, amd));
            imager.root(index);
            client.pushImage(OciLayout.open(imager.dir()), index, IMAGER, version.toString());
            IMAGER_INDEXES.put(version, index);
        }
        pushPlain(work.resolve("other-tag"), new TarLayer().file("f", 0644, "x"), IMAGER, "latest");

        Path v11 = releases.resolve(V11.toString());
        StringBuilder imageDigests = new StringBuilder();
        StringBuilder descriptions = new StringBuilder();
        for (String name : List.of("hello", "world")) {
            OciLayoutWriter layout = new OciLayoutWriter(v11.resolve("extension-images/standin/" + name));
            Descriptor index = layout.index(List.of(extensionImage(layout, name, "amd64"), extensionImage(layout, name, "arm64")));
            layout.root(index);
            client.pushImage(OciLayout.open(layout.dir()), index, "standin/" + name, "1.0");
            String line = registry.host() + "/standin/" + name + ":1.0@" + index.digest();
            imageDigests.append(line).append('\n');
            descriptions.append(line).append(":\n  author: Stand-in\n  description: the ").append(name).append(" extension\n");
        }
        write(v11.resolve("extensions/image-digests"), imageDigests.toString());
        write(v11.resolve("extensions/descriptions.yaml"), descriptions.toString());
        OciLayoutWriter overlay = new OciLayoutWriter(v11.resolve("overlay-images/standin/sbc-standin"));
        Descriptor overlayIndex = overlay.index(List.of(
                DirectoryReleaseSourceTest.overlayImage(overlay, "amd64"),
                DirectoryReleaseSourceTest.overlayImage(overlay, "arm64")));
        overlay.root(overlayIndex);
        client.pushImage(OciLayout.open(overlay.dir()), overlayIndex, "standin/sbc-standin", "v0.1.0");
        write(v11.resolve("overlays/overlays.yaml"), "overlays:\n  - name: rpi_generic\n"
                + "    image: ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5\n    digest: sha256:" + "7".repeat(64) + "\n"
                + "  - name: board-a\n    image: " + registry.host() + "/standin/sbc-standin:v0.1.0\n"
                + "    digest: " + overlayIndex.digest() + "\n");

        // upstream's manifest images: scratch images holding the files at their root
        pushPlain(work.resolve("extensions-image"), new TarLayer()
                .file("image-digests", 0644, Files.readString(v11.resolve("extensions/image-digests")))
                .file("descriptions.yaml", 0644, Files.readString(v11.resolve("extensions/descriptions.yaml"))),
                "siderolabs/extensions", V11.toString());
        pushPlain(work.resolve("overlays-image"), new TarLayer()
                .file("overlays.yaml", 0644, Files.readString(v11.resolve("overlays/overlays.yaml"))),
                "siderolabs/overlays", V11.toString());

        // the base installer image: one layout in the release directory, pushed as the same index for two tags
        OciLayoutWriter installerBase = new OciLayoutWriter(v11.resolve("installer-base"));
        TarLayer installerLayer = new TarLayer().file("usr/bin/installer", 0755, "#!/bin/sh\necho stand-in\n")
                .symlink("bin", "usr/bin");
        Descriptor baseIndex = installerBase.index(List.of(
                installerBase.image(Platform.linux("amd64"), List.of(installerLayer), Compression.GZIP),
                installerBase.image(Platform.linux("arm64"), List.of(installerLayer,
                        new TarLayer().file("usr/share/arm64", 0644, "arm64 only")), Compression.GZIP)));
        installerBase.root(baseIndex);
        client.pushImage(OciLayout.open(installerBase.dir()), baseIndex, "siderolabs/installer-base", V11.toString());
        client.pushImage(OciLayout.open(installerBase.dir()), baseIndex, "siderolabs/installer-base", "v1.13.0");

        // talosctl: plain files in the directory release, upstream's talosctl-all image (files at its root) in the
        // registry; a file in a subdirectory and one of another name are not talosctl binaries
        TarLayer talosctl = new TarLayer().file("README", 0644, "not a binary")
                .file("sub/talosctl-linux-amd64", 0755, "not at the root");
        for (String name : List.of("talosctl-linux-amd64", "talosctl-darwin-arm64", "talosctl-windows-amd64.exe")) {
            byte[] bytes = new byte[64 << 10];
            random.nextBytes(bytes);
            talosctl.file(name, 0755, bytes);
            Files.createDirectories(v11.resolve("talosctl"));
            Files.write(v11.resolve("talosctl").resolve(name), bytes);
        }
        pushPlain(work.resolve("talosctl-all"), talosctl, "siderolabs/talosctl-all", V11.toString());

        directory = new DirectoryReleaseSource(releases, new ReleaseCache(work.resolve("directory-cache")));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** An extension image for one arch: two layers, the second hiding a file of the first. */
    static Descriptor extensionImage(OciLayoutWriter layout, String name, String arch) {
        TarLayer base = new TarLayer()
                .file("manifest.yaml", 0644, "version: v1alpha1\nmetadata:\n  name: " + name + "\n  version: \"1.0\"\n")
                .dir("rootfs/", 0755)
                .dir("rootfs/usr/local/bin/", 0555)
                .file("rootfs/usr/local/bin/" + name, 0755, name + " for " + arch)
                .file("rootfs/usr/lib/firmware/" + name + ".bin", 0644, new byte[] {1, 2, 3, (byte) arch.length()})
                .hardlink("rootfs/usr/lib/firmware/" + name + "-alias.bin", "rootfs/usr/lib/firmware/" + name + ".bin")
                .symlink("rootfs/usr/lib/firmware/latest", name + ".bin")
                .file("rootfs/usr/lib/firmware/obsolete", 0644, "hidden by the next layer");
        TarLayer update = new TarLayer().whiteout("rootfs/usr/lib/firmware/obsolete")
                .file("rootfs/etc/cri/conf.d/" + name + ".part", 0600, "[plugins]\n");
        return layout.image(Platform.linux(arch), List.of(base, update), Compression.ZSTD);
    }

    /** Pushes a plain (index-less) single-layer image, as the scratch manifest images may be. */
    static void pushPlain(Path dir, TarLayer layer, String repository, String tag) throws IOException {
        OciLayoutWriter writer = new OciLayoutWriter(dir);
        Descriptor image = writer.image(Platform.linux("amd64"), List.of(layer), Compression.GZIP);
        writer.root(image);
        registry.client().pushImage(OciLayout.open(dir), image, repository, tag);
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    OciReleaseSource oci(String imager, Clock clock) {
        OciReleaseSource.Settings settings = new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous(registry.host(), true), imager, "siderolabs/extensions",
                "siderolabs/overlays", RECHECK);
        return new OciReleaseSource(settings, new ReleaseCache(data), clock);
    }

    OciReleaseSource oci() {
        return oci(IMAGER, Clock.systemUTC());
    }

    @Test
    void listsTheSameVersionsManifestsAndBootFiles() throws IOException {
        OciReleaseSource oci = oci();
        assertEquals(Set.of(V11, V12), oci.versions());
        assertEquals(directory.versions(), oci.versions());
        for (TalosVersion version : oci.versions()) {
            assertEquals(directory.extensions(version), oci.extensions(version), version + " extensions");
            assertEquals(directory.overlays(version), oci.overlays(version), version + " overlays");
            for (Arch arch : Arch.values()) {
                for (BootFile file : BootFile.values()) {
                    var expected = directory.bootFile(version, arch, file);
                    var actual = oci.bootFile(version, arch, file);
                    assertEquals(expected.isPresent(), actual.isPresent(), version + " " + arch + " " + file);
                    if (expected.isPresent()) {
                        assertEquals(expected.get().sha256(), actual.get().sha256());
                        assertArrayEquals(Files.readAllBytes(expected.get().path()), Files.readAllBytes(actual.get().path()));
                        assertTrue(actual.get().path().startsWith(data.resolve("imager")), actual.get().path().toString());
                    }
                }
            }
        }
        assertEquals(2, oci.extensions(V11).orElseThrow().size());
        assertTrue(oci.extensions(V12).isEmpty(), "no extensions image for the version");
        assertTrue(oci.overlays(V12).isEmpty(), "no overlays image for the version");
        try (Stream<Path> imagers = Files.list(data.resolve("imager"))) {
            assertEquals(2, imagers.count(), "one boot file set per imager manifest");
        }
        try (Stream<Path> entries = Files.walk(data.resolve("imager"))) {
            assertTrue(entries.noneMatch(p -> p.toString().contains("usr/bin") || Files.isSymbolicLink(p)),
                    "only regular files under usr/install/ are extracted");
        }
    }

    @Test
    void talosctlBinariesAreTheReleasesFilesAndOnlyThose() throws IOException {
        OciReleaseSource oci = oci();
        Path pulled = oci.talosctl(V11).orElseThrow();
        Path local = directory.talosctl(V11).orElseThrow();
        List<String> names;
        try (Stream<Path> files = Files.list(pulled)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of("talosctl-darwin-arm64", "talosctl-linux-amd64", "talosctl-windows-amd64.exe"), names);
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(local.resolve(name)), Files.readAllBytes(pulled.resolve(name)), name);
        }
        assertTrue(pulled.startsWith(data.resolve("talosctl")), pulled.toString());
        assertTrue(oci.talosctl(V12).isEmpty(), "no talosctl-all image for the version");
        assertTrue(directory.talosctl(V12).isEmpty(), "no talosctl/ directory for the version");
    }

    @Test
    void theSourceRepositoryServesTheRegistrysImagesByTagAndDigest() throws IOException {
        SourceRepository imager = oci().sourceRepository("imager").orElseThrow();
        assertEquals(List.of("latest", V11.toString(), V12.toString()), imager.tags());
        Descriptor index = IMAGER_INDEXES.get(V11);
        var byTag = imager.manifest(V11.toString()).orElseThrow();
        assertEquals(index.digest(), byTag.digest());
        assertEquals(index.digest(), dev.imagefactory.content.Digests.sha256(byTag.content()));
        assertArrayEquals(byTag.content(), imager.manifest(index.digest().toString()).orElseThrow().content());
        Descriptor amd64 = dev.imagefactory.oci.OciJson.index(byTag.content(), "test").manifests().stream()
                .filter(d -> d.platform().architecture().equals("amd64")).findFirst().orElseThrow();
        byte[] manifest = imager.manifest(amd64.digest().toString()).orElseThrow().content();
        Descriptor layer = dev.imagefactory.oci.OciJson.manifest(manifest, "test").layers().get(0);
        assertEquals(layer.size(), imager.blobSize(layer.digest()).orElseThrow());
        try (var in = imager.openBlob(layer.digest(), layer.size())) {
            byte[] bytes = in.readAllBytes();
            in.verifyToEnd();
            assertEquals(layer.digest(), dev.imagefactory.content.Digests.sha256(bytes));
        }
        assertTrue(imager.manifest("v0.0.1").isEmpty());
        assertTrue(imager.blobSize(dev.imagefactory.content.Digests.sha256(new byte[] {1})).isEmpty());
        assertTrue(oci().sourceRepository("something-else").isEmpty());
    }

    /**
     * The extra extensions manifest in a registry of its own that wants credentials: read from its repository like
     * the official one, its lines taken to live in that registry whatever host they name (as the reference does),
     * its images pulled from there; a version it does not publish has no extra extensions.
     */
    @Test
    void extraExtensionsComeFromTheirOwnRepositoryAndRegistry(@TempDir Path work) throws IOException {
        RegistryCredentials acme = new RegistryCredentials("acme", "acme-secret");
        try (LocalRegistry extraRegistry = LocalRegistry.start(work.resolve("acme-registry"), Optional.of(acme))) {
            RegistryClient client = extraRegistry.client(Optional.of(acme));
            OciLayoutWriter modem = new OciLayoutWriter(work.resolve("usb-modem"));
            Descriptor index = modem.index(List.of(extensionImage(modem, "usb-modem", "amd64"),
                    extensionImage(modem, "usb-modem", "arm64")));
            modem.root(index);
            client.pushImage(OciLayout.open(modem.dir()), index, "acme/usb-modem", "1.0");
            String line = "registry.acme.example/acme/usb-modem:1.0@" + index.digest();
            OciLayoutWriter manifest = new OciLayoutWriter(work.resolve("acme-extensions"));
            Descriptor manifestImage = manifest.image(Platform.linux("amd64"), List.of(new TarLayer()
                    .file("image-digests", 0644, line + "\n")
                    .file("descriptions.yaml", 0644, line + ": {author: Acme, description: the modem driver}\n")),
                    Compression.GZIP);
            manifest.root(manifestImage);
            client.pushImage(OciLayout.open(manifest.dir()), manifestImage, "acme/extensions", V11.toString());

            OciReleaseSource.Settings official = new OciReleaseSource.Settings(RegistryEndpoint.anonymous(registry.host(), true),
                    IMAGER, "siderolabs/extensions", "siderolabs/overlays", RECHECK);
            OciReleaseSource oci = new OciReleaseSource(official.withExtra(
                    new RegistryEndpoint(extraRegistry.host(), true, Optional.of(acme)), "acme/extensions"),
                    new ReleaseCache(data));

            OfficialExtension listed = oci.extraExtensions(V11).orElseThrow().get(0);
            assertEquals(new OfficialExtension(new ImageRef(extraRegistry.host(), "acme/usb-modem", "1.0"),
                    index.digest().toString(), "Acme", "the modem driver"), listed);
            assertEquals(1, oci.extraExtensions(V11).orElseThrow().size());
            assertTrue(oci.extraExtensions(V12).isEmpty(), "no extra manifest for the version: none, no error");
            assertEquals(oci().extensions(V11), oci.extensions(V11), "the official manifest is unchanged");
            for (Arch arch : Arch.values()) {
                ExtensionImage image = oci.extensionImage(V11, listed, arch);
                assertEquals(index.digest().toString(), image.identity());
                assertEquals("usb-modem for " + arch.goName(),
                        Files.readString(image.rootfs().resolve("usr/local/bin/usb-modem")));
            }

            OciReleaseSource anonymous = new OciReleaseSource(official.withExtra(
                    RegistryEndpoint.anonymous(extraRegistry.host(), true), "acme/extensions"),
                    new ReleaseCache(work.resolve("anonymous-cache")));
            ReleaseDataException refused = assertThrows(ReleaseDataException.class, () -> anonymous.extraExtensions(V11));
            assertTrue(refused.getMessage().startsWith(extraRegistry.host() + "/acme/extensions:" + V11), refused.getMessage());
        }
    }

    @Test
    void extensionImagesAreTheSameTrees() throws IOException {
        OciReleaseSource oci = oci();
        for (OfficialExtension extension : oci.extensions(V11).orElseThrow()) {
            for (Arch arch : Arch.values()) {
                ExtensionImage pulled = oci.extensionImage(V11, extension, arch);
                ExtensionImage local = directory.extensionImage(V11, extension, arch);
                assertEquals(extension.digest(), pulled.identity());
                assertEquals(data.resolve("extensions/" + arch + "-" + extension.digest().replace(':', '-')), pulled.root());
                assertEquals(describe(local.root()), describe(pulled.root()), extension.name() + " " + arch);
                assertTrue(Files.isSameFile(pulled.rootfs().resolve("usr/lib/firmware/" + extension.ref().repository()
                        .substring("standin/".length()) + ".bin"), pulled.rootfs().resolve("usr/lib/firmware/"
                        + extension.ref().repository().substring("standin/".length()) + "-alias.bin")));
            }
        }

        // a restarted process finds the flattened images on disk: no registry needed
        OciReleaseSource.Settings unreachable = new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous("127.0.0.1:1", true), IMAGER, "siderolabs/extensions", "siderolabs/overlays", RECHECK);
        OciReleaseSource restarted = new OciReleaseSource(unreachable, new ReleaseCache(data));
        OfficialExtension hello = oci.extensions(V11).orElseThrow().get(0);
        assertEquals(oci.extensionImage(V11, hello, Arch.ARM64).root(), restarted.extensionImage(V11, hello, Arch.ARM64).root());
    }

    @Test
    void overlayImagesAreTheSameTreesPulledByTheListedDigest() throws IOException {
        OciReleaseSource oci = oci();
        OfficialOverlay boardA = oci.overlays(V11).orElseThrow().get(1);
        assertEquals("board-a", boardA.name());
        for (Arch arch : Arch.values()) {
            OverlayImage pulled = oci.overlayImage(V11, boardA, arch);
            OverlayImage local = directory.overlayImage(V11, boardA, arch);
            assertEquals(boardA.digest(), pulled.identity());
            assertEquals(data.resolve("overlays/" + arch + "-" + boardA.digest().replace(':', '-')), pulled.root());
            assertEquals(describe(local.root()), describe(pulled.root()), arch.toString());
            assertEquals("board-a installer for " + arch.goName(), Files.readString(pulled.installer()));
        }
        // a restarted process finds the flattened image on disk: no registry needed
        OciReleaseSource.Settings unreachable = new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous("127.0.0.1:1", true), IMAGER, "siderolabs/extensions", "siderolabs/overlays", RECHECK);
        assertEquals(oci.overlayImage(V11, boardA, Arch.ARM64).root(),
                new OciReleaseSource(unreachable, new ReleaseCache(data)).overlayImage(V11, boardA, Arch.ARM64).root());

        OfficialOverlay unpinned = new OfficialOverlay("board-a", boardA.ref(), "");
        assertThrows(ReleaseDataException.class, () -> oci.overlayImage(V11, unpinned, Arch.AMD64));
    }

    @Test
    void aCorruptedBlobIsDetectedAndNothingIsCached(@TempDir Path work) throws IOException {
        OciLayoutWriter layout = new OciLayoutWriter(work.resolve("broken"));
        Descriptor image = extensionImage(layout, "broken", "amd64");
        layout.root(image);
        registry.client().pushImage(OciLayout.open(layout.dir()), image, "standin/broken", "1.0");
        Descriptor layer = OciLayout.open(layout.dir()).resolve(Platform.linux("amd64")).manifest().layers().get(1);
        Path blob = registry.blobData(layer.digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 5] ^= 0x20;
        Files.write(blob, bytes);
        OfficialExtension broken = new OfficialExtension(ImageRef.parse(registry.host() + "/standin/broken:1.0"),
                image.digest().toString(), "", "");

        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> oci().extensionImage(V11, broken, Arch.AMD64));
        assertInstanceOf(DigestMismatchException.class, e.getCause(), e.toString());
        try (Stream<Path> left = Files.list(data.resolve("extensions"))) {
            assertEquals(List.of(), left.toList(), "neither the entry nor its scratch directory is left");
        }
    }

    @Test
    void installerBaseImagesHaveTheDirectorySourcesLayersAndBlobsAreSharedByDigest() throws IOException {
        OciReleaseSource oci = oci();
        for (Arch arch : Arch.values()) {
            BaseImage expected = directory.installerBase(V11, arch, InstallerBaseKind.INSTALLER_BASE).orElseThrow();
            BaseImage pulled = oci.installerBase(V11, arch, InstallerBaseKind.INSTALLER_BASE).orElseThrow();
            assertEquals("siderolabs/installer-base:v1.11.0", pulled.reference());
            assertEquals(expected.reference(), pulled.reference());
            assertEquals(expected.configDigest(), pulled.configDigest());
            assertArrayEquals(Files.readAllBytes(expected.config()), Files.readAllBytes(pulled.config()));
            assertEquals(expected.layers().size(), pulled.layers().size());
            for (int i = 0; i < expected.layers().size(); i++) {
                BaseLayer want = expected.layers().get(i);
                BaseLayer got = pulled.layers().get(i);
                assertEquals(want.descriptor().digest(), got.descriptor().digest());
                assertEquals(want.descriptor().size(), got.descriptor().size());
                assertEquals(want.descriptor().mediaType(), got.descriptor().mediaType());
                assertEquals(want.diffId(), got.diffId());
                assertArrayEquals(Files.readAllBytes(want.blob()), Files.readAllBytes(got.blob()));
                assertTrue(got.blob().startsWith(data.resolve(OciReleaseSource.BLOB_CACHE_KIND)), got.blob().toString());
            }
            assertEquals(arch == Arch.AMD64 ? 1 : 2, pulled.layers().size());
            assertTrue(oci.installerBase(V11, arch, InstallerBaseKind.INSTALLER).isEmpty(), "no installer tag");
            assertTrue(oci.installerBase(V12, arch, InstallerBaseKind.INSTALLER_BASE).isEmpty(), "no tag for v1.12");
        }
        // another tag of the same image reuses every blob: 2 configs + 2 distinct layers, nothing more
        TalosVersion v13 = TalosVersion.parse("v1.13.0");
        oci.installerBase(v13, Arch.ARM64, InstallerBaseKind.INSTALLER_BASE).orElseThrow();
        try (Stream<Path> blobs = Files.list(data.resolve(OciReleaseSource.BLOB_CACHE_KIND))) {
            assertEquals(4, blobs.count());
        }
        // a restarted process finds them on disk (the manifest is still read from the registry)
        BaseImage again = new OciReleaseSource(new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous(registry.host(), true), IMAGER, "siderolabs/extensions",
                "siderolabs/overlays", RECHECK), new ReleaseCache(data))
                .installerBase(V11, Arch.ARM64, InstallerBaseKind.INSTALLER_BASE).orElseThrow();
        assertEquals(oci.installerBase(V11, Arch.ARM64, InstallerBaseKind.INSTALLER_BASE).orElseThrow(), again);
    }

    @Test
    void aCorruptedInstallerBlobFailsAndIsNotCached(@TempDir Path work) throws IOException {
        OciLayoutWriter layout = new OciLayoutWriter(work.resolve("broken-installer"));
        Descriptor image = layout.image(Platform.linux("amd64"),
                List.of(new TarLayer().file("usr/bin/installer", 0755, "x".repeat(4096))), Compression.GZIP);
        layout.root(image);
        registry.client().pushImage(OciLayout.open(layout.dir()), image, "broken/installer", V11.toString());
        Descriptor layer = OciLayout.open(layout.dir()).resolve(Platform.linux("amd64")).manifest().layers().get(0);
        Path blob = registry.blobData(layer.digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 5] ^= 0x20;
        Files.write(blob, bytes);
        OciReleaseSource.Settings settings = new OciReleaseSource.Settings(RegistryEndpoint.anonymous(registry.host(), true),
                IMAGER, "siderolabs/extensions", "siderolabs/overlays", "broken/installer-base", "broken/installer", RECHECK);

        ReleaseDataException e = assertThrows(ReleaseDataException.class, () -> new OciReleaseSource(settings,
                new ReleaseCache(data)).installerBase(V11, Arch.AMD64, InstallerBaseKind.INSTALLER));
        assertInstanceOf(DigestMismatchException.class, e.getCause(), e.toString());
        assertTrue(Files.notExists(data.resolve(OciReleaseSource.BLOB_CACHE_KIND).resolve(
                layer.digest().toString().replace(':', '-'))), "the corrupted layer is not kept");
    }

    @Test
    void versionsAreRecheckedAfterTheInterval(@TempDir Path work) throws IOException {
        String imager = "recheck/imager";
        pushPlain(work.resolve("a"), new TarLayer().file("f", 0644, "a"), imager, "v1.11.0");
        MutableClock clock = new MutableClock();
        OciReleaseSource oci = oci(imager, clock);
        assertEquals(Set.of(V11), oci.versions());

        pushPlain(work.resolve("b"), new TarLayer().file("f", 0644, "b"), imager, "v1.13.0");
        clock.advance(RECHECK.minusSeconds(1));
        assertEquals(Set.of(V11), oci.versions(), "listed versions are reused within the interval");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Set.of(V11, TalosVersion.parse("v1.13.0")), oci.versions());
    }

    @Test
    void aRegistryThatCannotBeReachedIsAServerSideError() {
        OciReleaseSource.Settings unreachable = new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous("127.0.0.1:1", true), IMAGER, "siderolabs/extensions", "siderolabs/overlays", RECHECK);
        ReleaseDataException e = assertThrows(ReleaseDataException.class,
                () -> new OciReleaseSource(unreachable, new ReleaseCache(data)).versions());
        assertTrue(e.getMessage().contains("127.0.0.1:1/siderolabs/imager"), e.getMessage());
    }

    @Test
    void theImagerImageIsValidForAStockClient() throws Exception {
        LocalRegistry.SkopeoResult inspect = registry.skopeo("inspect", "--tls-verify=false",
                "docker://" + registry.host() + "/" + IMAGER + ":" + V11);
        assertEquals(0, inspect.exitCode(), inspect.output());
        assertTrue(inspect.output().contains("\"Architecture\": \"amd64\""), inspect.output());
        LocalRegistry.SkopeoResult extensions = registry.skopeo("inspect", "--tls-verify=false", "--raw",
                "docker://" + registry.host() + "/siderolabs/extensions:" + V11);
        assertEquals(0, extensions.exitCode(), extensions.output());
    }

    /** Every entry of a tree: type, mode, and content digest or link target, by relative path. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.toList());
        }
        for (Path path : paths) {
            String rel = root.relativize(path).toString();
            if (Files.isSymbolicLink(path)) {
                entries.put(rel, "link -> " + Files.readSymbolicLink(path));
                continue;
            }
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            entries.put(rel, (Files.isDirectory(path) ? "dir " : "file ") + Integer.toOctalString(mode)
                    + (Files.isDirectory(path) ? "" : " " + Digests.sha256(path).digest().hex()));
        }
        return entries;
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
