package dev.imagefactory.build.installer;

import dev.imagefactory.tools.ProcessRunner;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.cache.FileArtifactCache;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.TarLayer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * The installer image pieces checked with stock tools: GNU tar reads the artifacts layer as §7.1 prescribes, and
 * skopeo loads our docker-save tarball (streamed from the blob store the image was written into), copies it into an OCI layout (verifying every digest) and reports the
 * base's config fields.
 */
@Tag("slow")
class InstallerImageTest {

    static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(1));

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private BlobStore store;
    private final BlobLeases leases = new BlobLeases();

    @Test
    void artifactsLayerIsSortedRootOwnedZeroTimedFilesOnly() throws Exception {
        Path uki = write("uki", "uki bytes");
        Path boot = write("boot", "systemd-boot bytes");
        LayerBlob layer = ArtifactsLayer.write(TOOLS, List.of(new ImageFile("usr/install/amd64/vmlinuz.efi", uki),
                new ImageFile("usr/install/amd64/systemd-boot.efi", boot)), dir.resolve("layer.tar.gz"));

        String listing = run("tar", "--numeric-owner", "--utc", "-tvzf", layer.file().toString());
        List<String> lines = listing.lines().toList();
        assertEquals(2, lines.size(), listing);
        assertTrue(lines.get(0).matches("---------- 0/0 +18 1970-01-01 00:00 usr/install/amd64/systemd-boot\\.efi"),
                lines.get(0));
        assertTrue(lines.get(1).matches("---------- 0/0 +9 1970-01-01 00:00 usr/install/amd64/vmlinuz\\.efi"),
                lines.get(1));
        assertEquals(Digests.sha256(Files.readAllBytes(layer.file())), layer.digest());
        assertEquals(Files.size(layer.file()), layer.size());
        try (InputStream in = new GZIPInputStream(Files.newInputStream(layer.file()))) {
            assertEquals(Digests.sha256(in.readAllBytes()), layer.diffId());
        }
        assertEquals("uki bytes", run("tar", "-xzOf", layer.file().toString(), "usr/install/amd64/vmlinuz.efi"));
    }

    @Test
    void artifactsLayerIsReproducibleAndFollowsContent() throws Exception {
        Path kernel = write("vmlinuz", "kernel");
        Path initrd = write("initramfs.xz", "initramfs");
        List<ImageFile> files = List.of(new ImageFile("usr/install/amd64/vmlinuz", kernel),
                new ImageFile("usr/install/amd64/initramfs.xz", initrd));
        LayerBlob first = ArtifactsLayer.write(TOOLS, files, dir.resolve("a.tar.gz"));
        Files.setLastModifiedTime(kernel, java.nio.file.attribute.FileTime.fromMillis(0));
        LayerBlob second = ArtifactsLayer.write(TOOLS, List.of(files.get(1), files.get(0)), dir.resolve("b.tar.gz"));
        assertEquals(first.digest(), second.digest());
        assertArrayEquals(Files.readAllBytes(first.file()), Files.readAllBytes(second.file()));

        Files.writeString(kernel, "kernel 2");
        assertNotEquals(first.digest(), ArtifactsLayer.write(TOOLS, files, dir.resolve("c.tar.gz")).digest());
        assertThrows(IllegalArgumentException.class, () -> ArtifactsLayer.write(TOOLS,
                List.of(new ImageFile("a", kernel), new ImageFile("a", initrd)), dir.resolve("d.tar.gz")));
        assertThrows(IllegalArgumentException.class, () -> new ImageFile("/usr/install", kernel));
    }

    @Test
    void skopeoLoadsTheTarballWithTheBaseConfigAndLayers() throws Exception {
        BaseImage base = baseImage(1);
        LayerBlob artifacts = ArtifactsLayer.write(TOOLS, List.of(new ImageFile("usr/install/arm64/vmlinuz.efi",
                write("uki", "an arm64 uki"))), dir.resolve("artifacts.tar.gz"));
        Path tarball = dir.resolve("installer-arm64.tar");
        writeTarball(base, List.of(artifacts), "arm64", tarball);

        JsonNode inspected = JSON.readTree(run("skopeo", "inspect", "docker-archive:" + tarball));
        assertEquals("arm64", inspected.get("Architecture").asText());
        assertEquals("linux", inspected.get("Os").asText());
        assertEquals("v1.11.0", inspected.get("Labels").get("alpha.talos.dev/version").asText());
        // docker-archive sources hand out uncompressed layers, so skopeo names them by diff ID
        assertEquals(List.of(base.layers().get(0).diffId(), artifacts.diffId().toString()),
                textList(inspected.get("Layers")));
        assertTrue(textList(inspected.get("Env")).contains("TARGETARCH=arm64"), inspected.toString());

        JsonNode config = JSON.readTree(run("skopeo", "inspect", "--config", "docker-archive:" + tarball));
        assertEquals(List.of("/bin/installer"), textList(config.get("config").get("Entrypoint")));
        assertEquals(List.of(base.layers().get(0).diffId(), artifacts.diffId().toString()),
                textList(config.get("rootfs").get("diff_ids")));
        assertEquals(InstallerImage.CREATED, config.get("created").asText());

        Path oci = dir.resolve("copied");
        run("skopeo", "copy", "docker-archive:" + tarball, "oci:" + oci + ":installer");
        JsonNode copiedIndex = JSON.readTree(oci.resolve("index.json").toFile());
        JsonNode copied = JSON.readTree(oci.resolve("blobs/sha256/" + Digest.parse(
                copiedIndex.get("manifests").get(0).get("digest").asText()).hex()).toFile());
        assertEquals(2, copied.get("layers").size(), copied.toString());

        byte[] again = rewrite(base, artifacts, "again.tar");
        assertArrayEquals(Files.readAllBytes(tarball), again, "the same inputs give the same tarball");
        String manifest = run("tar", "-xOf", tarball.toString(), DockerArchive.MANIFEST);
        assertTrue(manifest.contains("\"RepoTags\":[\"siderolabs/installer-base:v1.11.0\"]"), manifest);
    }

    @Test
    void anOldInstallerBaseKeepsOnlyItsFirstLayer() throws Exception {
        BaseImage twoLayers = baseImage(2);
        assertEquals(List.of(twoLayers.layers().get(0)), InstallerImage.keptBaseLayers(twoLayers));
        BaseImage threeLayers = baseImage(3);
        assertEquals(threeLayers.layers(), InstallerImage.keptBaseLayers(threeLayers));

        LayerBlob artifacts = ArtifactsLayer.write(TOOLS, List.of(new ImageFile("usr/install/amd64/vmlinuz",
                write("k", "kernel"))), dir.resolve("artifacts.tar.gz"));
        Path tarball = dir.resolve("installer-amd64.tar");
        writeTarball(twoLayers, List.of(artifacts), "amd64", tarball);
        JsonNode inspected = JSON.readTree(run("skopeo", "inspect", "docker-archive:" + tarball));
        assertEquals(2, inspected.get("Layers").size(), inspected.toString());
        assertFalse(textList(inspected.get("Layers")).contains(twoLayers.layers().get(1).diffId()));
    }

    private byte[] rewrite(BaseImage base, LayerBlob artifacts, String name) throws IOException {
        Path out = dir.resolve(name);
        writeTarball(base, List.of(artifacts), "arm64", out);
        return Files.readAllBytes(out);
    }

    /** Stores the image in a blob store over a real file cache and streams its docker-save tarball to {@code out}. */
    private void writeTarball(BaseImage base, List<LayerBlob> added, String arch, Path out) throws IOException {
        if (store == null) {
            store = new BlobStore(new FileArtifactCache(dir.resolve("cache"), 1L << 30, new SimpleMeterRegistry()));
        }
        StoredInstallerImage image = InstallerImage.store(store, base, added, arch, base.reference(), leases);
        try (InputStream in = InstallerTarball.stream(image.tarball(), store, 0, image.tarballSize())) {
            Files.copy(in, out);
        }
        assertEquals(image.tarballSize(), Files.size(out));
    }

    /** A base installer image with {@code layers} gzip layers, the first holding {@code usr/bin/installer}. */
    private BaseImage baseImage(int layers) throws IOException {
        List<BaseLayer> baseLayers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            TarLayer tar = i == 0
                    ? new TarLayer().dir("usr/", 0755).dir("usr/bin/", 0755)
                            .file("usr/bin/installer", 0755, "#!/bin/sh\necho stand-in\n").symlink("bin", "usr/bin")
                    : new TarLayer().file("usr/install/amd64/vmlinuz", 0644, "old kernel " + i);
            byte[] gz = tar.bytes(TarLayer.Compression.GZIP);
            Digest digest = Digests.sha256(gz);
            Path blob = Files.write(dir.resolve("layer-" + layers + "-" + i), gz);
            String diffId = Digests.sha256(tar.tar()).toString();
            diffIds.add(diffId);
            baseLayers.add(new BaseLayer(new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, gz.length), blob, diffId));
        }
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2025-01-01T00:00:00Z\",\"config\":{"
                + "\"Env\":[\"PATH=/usr/bin:/bin\",\"VERSION=v1.11.0\",\"TARGETARCH=arm64\"],"
                + "\"Entrypoint\":[\"/bin/installer\"],\"Labels\":{\"alpha.talos.dev/version\":\"v1.11.0\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":" + JSON.writeValueAsString(diffIds) + "}}";
        Path configFile = Files.writeString(dir.resolve("config-" + layers + ".json"), config);
        return new BaseImage("siderolabs/installer-base:v1.11.0", configFile,
                Digests.sha256(config.getBytes(StandardCharsets.UTF_8)).toString(), baseLayers);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + err);
        return out;
    }
}
