package dev.imagefactory.build.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.FileArtifactCache;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.oci.TarLayer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer image as a blob graph in a real file cache: every blob under its real digest, manifests over them,
 * and the docker-save tarball streamed from the blobs byte-identical to the archive that the tar writer gives for
 * the same entries (how the tarball was written before it was streamed), whole and in any range.
 */
class InstallerBlobGraphTest {

    @TempDir
    Path dir;

    private FileArtifactCache cache;
    private BlobStore store;
    private final BlobLeases leases = new BlobLeases();

    @BeforeEach
    void open() {
        cache = new FileArtifactCache(dir.resolve("cache"), 1L << 30, new SimpleMeterRegistry());
        store = new BlobStore(cache);
    }

    @AfterEach
    void release() {
        leases.close();
    }

    @Test
    void theImageIsStoredAsBlobsUnderTheirDigestsWithBothManifests() throws Exception {
        BaseImage base = baseImage();
        LayerBlob artifacts = artifactsLayer("an arm64 uki");
        StoredInstallerImage image = InstallerImage.store(store, base, List.of(artifacts), "arm64", base.reference(),
                leases);

        for (Digest digest : image.digests()) {
            CachedArtifact blob = store.get(digest).orElseThrow(() -> new AssertionError(digest + " not stored"));
            assertEquals(digest.hex(), sha("SHA-256", read(blob)), "blob content has its digest");
            assertTrue(leases.keys().contains(BlobStore.key(digest)), digest + " is leased until a record holds it");
        }
        assertEquals(List.of(base.layers().get(0).descriptor().digest(), artifacts.digest()),
                image.layers().stream().map(Descriptor::digest).toList());

        ImageManifest oci = OciJson.manifest(read(store.get(image.oci().digest()).orElseThrow()), "oci");
        assertEquals(MediaTypes.OCI_MANIFEST, image.oci().mediaType());
        assertEquals("arm64", image.oci().platform().architecture());
        assertEquals(image.config().digest(), oci.config().digest());
        assertEquals(MediaTypes.OCI_CONFIG, oci.config().mediaType());
        assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP),
                oci.layers().stream().map(Descriptor::mediaType).toList());
        ImageManifest docker = OciJson.manifest(read(store.get(image.docker().digest()).orElseThrow()), "docker");
        assertEquals(MediaTypes.DOCKER_CONFIG, docker.config().mediaType());
        assertEquals(oci.layers().stream().map(Descriptor::digest).toList(),
                docker.layers().stream().map(Descriptor::digest).toList());
        String config = new String(read(store.get(image.config().digest()).orElseThrow()), StandardCharsets.UTF_8);
        assertTrue(config.contains(artifacts.diffId().toString()), config);

        StoredInstallerImage again = InstallerImage.store(store, base, List.of(artifacts), "arm64", base.reference(),
                leases);
        assertEquals(image, again, "the same inputs give the same graph");
        assertEquals(image, StoredInstallerImage.parse(image.toJson()));
    }

    @Test
    void theStreamedTarballIsTheDockerSaveArchiveOfItsBlobs() throws Exception {
        BaseImage base = baseImage();
        LayerBlob artifacts = artifactsLayer("uki ".repeat(3000));
        LayerBlob overlay = artifactsLayer("overlay"); // a second added layer, as with an overlay
        Path artifactsCopy = Files.copy(artifacts.file(), dir.resolve("artifacts-copy"));
        Path overlayCopy = Files.copy(overlay.file(), dir.resolve("overlay-copy"));
        StoredInstallerImage image = InstallerImage.store(store, base, List.of(artifacts, overlay), "amd64",
                base.reference(), leases);

        byte[] config = read(store.get(image.config().digest()).orElseThrow());
        Path expected = dir.resolve("expected.tar");
        dockerSave(expected, config, List.of(base.layers().get(0).blob(), artifactsCopy, overlayCopy),
                List.of(base.layers().get(0).descriptor().digest(), artifacts.digest(), overlay.digest()),
                base.reference());
        byte[] want = Files.readAllBytes(expected);

        byte[] streamed = stream(image, 0, image.tarballSize());
        assertArrayEquals(want, streamed);
        assertEquals(want.length, image.tarballSize());
        assertEquals(sha("SHA-256", want), image.tarballSha256());
    }

    @Test
    void everyPaddingCaseMatchesTheTarWriter() throws Exception {
        Random random = new Random(12);
        List<Path> files = new ArrayList<>();
        List<Descriptor> layers = new ArrayList<>();
        for (int size : new int[] {0, 1, 511, 512, 513, 10240, 70000}) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            Path file = Files.write(dir.resolve("blob-" + size), content);
            files.add(file);
            Digest digest = Digests.sha256(content);
            try (InputStream in = Files.newInputStream(file)) {
                store.put(digest, size, in, leases);
            }
            layers.add(new Descriptor("", digest, size));
        }
        byte[] config = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Descriptor configBlob = store.putDocument("", config, leases);
        List<DockerArchive.Segment> layout = DockerArchive.layout(configBlob, layers, "example/installer:v1");

        Path expected = dir.resolve("expected.tar");
        dockerSave(expected, config, files, layers.stream().map(Descriptor::digest).toList(), "example/installer:v1");
        byte[] want = Files.readAllBytes(expected);
        assertEquals(want.length, DockerArchive.size(layout));
        try (InputStream in = InstallerTarball.stream(layout, store, 0, want.length)) {
            assertArrayEquals(want, in.readAllBytes());
        }
    }

    @Test
    void anyRangeIsThatSliceOfTheTarball() throws Exception {
        BaseImage base = baseImage();
        StoredInstallerImage image = InstallerImage.store(store, base, List.of(artifactsLayer("k".repeat(5000))),
                "amd64", base.reference(), leases);
        byte[] whole = stream(image, 0, image.tarballSize());
        List<Long> starts = new ArrayList<>(List.of(0L, 1L, 511L, 512L, 513L, whole.length - 1L, (long) whole.length));
        long boundary = 0;
        for (DockerArchive.Segment segment : image.tarball()) {
            boundary += segment.size();
            starts.addAll(List.of(boundary - 1, boundary, boundary + 1));
        }
        for (long start : starts) {
            for (long length : new long[] {0, 1, 100, 1000, whole.length - start}) {
                if (start < 0 || length < 0 || start + length > whole.length) {
                    continue;
                }
                byte[] slice = java.util.Arrays.copyOfRange(whole, (int) start, (int) (start + length));
                assertArrayEquals(slice, stream(image, start, length), "range " + start + "+" + length);
            }
        }
        assertThrows(IOException.class, () -> InstallerTarball.stream(image.tarball(), store, 1, whole.length));
    }

    @Test
    void aTarballArtifactStreamsAndReleasesItsRecord() throws Exception {
        BaseImage base = baseImage();
        StoredInstallerImage image = InstallerImage.store(store, base, List.of(artifactsLayer("x")), "amd64",
                base.reference(), leases);
        Path record = Files.write(cache.newWorkDir("test").resolve("installer.json"), image.toJson());
        CacheKey key = CacheKey.of("test-record");
        var recordLease = cache.publishPinned(key, record, leases.keys());
        try (var tarball = InstallerTarball.lease(recordLease, store)) {
            assertEquals(image.tarballSize(), tarball.artifact().size());
            assertEquals(image.tarballSha256(), tarball.artifact().sha256());
            assertEquals(image, InstallerTarball.of(tarball.artifact()).orElseThrow().image());
            assertEquals(key, InstallerTarball.of(tarball.artifact()).orElseThrow().record());
            assertTrue(recordLease.isOpen());
            try (InputStream in = tarball.artifact().content().open(0, image.tarballSize())) {
                assertEquals(image.tarballSha256(), sha("SHA-256", in.readAllBytes()));
            }
        }
        assertTrue(!recordLease.isOpen(), "closing the tarball's lease releases the record");
    }

    private byte[] stream(StoredInstallerImage image, long offset, long length) throws IOException {
        try (InputStream in = InstallerTarball.stream(image.tarball(), store, offset, length)) {
            return in.readAllBytes();
        }
    }

    /** The docker-save archive as a tar writer writes it: config, layers, manifest.json (the format before streaming). */
    private static void dockerSave(Path out, byte[] config, List<Path> layers, List<Digest> digests, String repoTag)
            throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            String configName = Digests.sha256(config).toString();
            entry(tar, configName, config);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                String name = digests.get(i).hex() + ".tar.gz";
                names.add(name);
                entry(tar, name, Files.readAllBytes(layers.get(i)));
            }
            String manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repoTag + "\"],\"Layers\":["
                    + String.join(",", names.stream().map(n -> "\"" + n + "\"").toList()) + "]}]";
            entry(tar, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
            tar.finish();
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry header = new TarArchiveEntry(name, true);
        header.setSize(content.length);
        header.setMode(0644);
        header.setIds(0, 0);
        header.setModTime(0);
        tar.putArchiveEntry(header);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private LayerBlob artifactsLayer(String uki) throws IOException {
        Path file = Files.writeString(dir.resolve("uki-" + uki.hashCode()), uki);
        return ArtifactsLayer.write(InstallerImageTest.TOOLS,
                List.of(new ImageFile("usr/install/amd64/vmlinuz.efi", file)), cache.newWorkDir("test").resolve("layer.tar.gz"));
    }

    /** A base installer image with one gzip layer. */
    private BaseImage baseImage() throws IOException {
        TarLayer tar = new TarLayer().dir("usr/", 0755).dir("usr/bin/", 0755)
                .file("usr/bin/installer", 0755, "#!/bin/sh\necho stand-in\n");
        byte[] gz = tar.bytes(TarLayer.Compression.GZIP);
        Path blob = Files.write(dir.resolve("base-layer"), gz);
        String diffId = Digests.sha256(tar.tar()).toString();
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/installer\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
        Path configFile = Files.writeString(dir.resolve("base-config.json"), config);
        return new BaseImage("siderolabs/installer-base:v1.11.0", configFile,
                Digests.sha256(config.getBytes(StandardCharsets.UTF_8)).toString(),
                List.of(new BaseLayer(new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digests.sha256(gz), gz.length), blob,
                        diffId)));
    }

    private static byte[] read(CachedArtifact blob) throws IOException {
        try (InputStream in = blob.content().open(0, blob.size())) {
            return in.readAllBytes();
        }
    }

    private static String sha(String algorithm, byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    }
}
