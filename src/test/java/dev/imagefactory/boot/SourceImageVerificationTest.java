package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.signing.CosignKey;
import dev.imagefactory.signing.LayoutSignatures;
import dev.imagefactory.signing.SimpleSigningPayload;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 over the directory release source, with verification on and the stand-in key (the test profile's
 * {@code factory.releases.verify.keys}): a private copy of the signed stand-in release in which v1.11 is spoiled four
 * ways, while v1.12 stays as built.
 * <ul>
 * <li>usr-local-tools: one byte of its amd64 layer changed, and the digests re-pointed all the way up (config, manifest,
 * index, index.json, image-digests), as a compromised mirror would: the new digest has no signature;</li>
 * <li>intel-ucode: signed by the stand-in key, but the payload names another digest (dummy-module's);</li>
 * <li>dummy-module: signed for its digest and repository, by another key;</li>
 * <li>the standin-board overlay: its signature removed.</li>
 * </ul>
 * Each is refused with 502 naming the image and why, again on a second request (nothing was cached), nothing of it
 * reaches the release cache (so the overlay's installer, which runs from there, never ran), and the refusals are
 * counted. The same extension on v1.12 builds (the signed overlay builds with verification on in SbcDiskImageTest, as
 * the whole suite runs with the stand-in key).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(SourceImageVerificationTest.Spoiled.class)
class SourceImageVerificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path RELEASES = Path.of("target/source-verification-test-releases/" + System.nanoTime()).toAbsolutePath();
    static final Path DATA = Path.of("target/source-verification-test-data/" + System.nanoTime()).toAbsolutePath();
    /** Hex digests of what was refused: none may name anything in the release cache. */
    static final List<String> REFUSED = new java.util.concurrent.CopyOnWriteArrayList<>();

    public static class Spoiled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            BuildQueueTest.linkCopy(StandinRelease.ensure(), RELEASES);
            try {
                spoil(RELEASES.resolve(StandinRelease.V1_11));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new HashMap<>(new BootAssetsTest.StandinProfile().getConfigOverrides());
            config.put("factory.releases.dir", RELEASES.toString());
            config.put("factory.data-dir", DATA.toString());
            return config;
        }
    }

    private static final String OVERLAY = """
            overlay:
              image: standin/sbc-standin
              name: standin-board
            """;

    @Test
    void aTamperedExtensionWithItsDigestRepointedIsRefused() {
        String id = BootAssetsTest.createSchematic(extension("standin/usr-local-tools"));
        for (int attempt = 0; attempt < 2; attempt++) {
            refused("/image/" + id + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz",
                    "standin/usr-local-tools", "it is not signed");
        }
        assertNothingCached();
    }

    @Test
    void aSignatureForAnotherDigestIsRefused() {
        String id = BootAssetsTest.createSchematic(extension("standin/intel-ucode"));
        refused("/image/" + id + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz", "standin/intel-ucode",
                "the signature is for another digest");
        assertNothingCached();
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        String id = BootAssetsTest.createSchematic(extension("standin/dummy-module"));
        refused("/image/" + id + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz", "standin/dummy-module",
                "a signature was made by another key");
        assertNothingCached();
    }

    @Test
    void anUnsignedOverlayIsRefusedAndItsInstallerNeverRuns() throws IOException {
        String id = BootAssetsTest.createSchematic(OVERLAY);
        refused("/image/" + id + "/" + StandinRelease.V1_11 + "/metal-arm64.raw.xz", "standin/sbc-standin",
                "it is not signed");
        // the installer runs from the flattened image in the release cache: no v1.11 overlay was ever flattened
        Path overlays = DATA.resolve("release-cache/overlays");
        Digest v111 = LayoutSignatures.root(RELEASES.resolve(StandinRelease.V1_11 + "/overlay-images/standin/sbc-standin"));
        if (Files.isDirectory(overlays)) {
            try (Stream<Path> entries = Files.list(overlays)) {
                for (Path entry : entries.toList()) {
                    assertFalse(platformDigests(RELEASES.resolve(StandinRelease.V1_11
                            + "/overlay-images/standin/sbc-standin"), v111).stream()
                            .anyMatch(hex -> entry.getFileName().toString().contains(hex)), entry.toString());
                }
            }
        }
    }

    @Test
    void theSignedReleaseBuildsWithVerificationOnAndRefusalsAreCounted() {
        String id = BootAssetsTest.createSchematic(extension("standin/usr-local-tools"));
        given().get("/image/" + id + "/" + StandinRelease.V1_12 + "/initramfs-amd64.xz").then().statusCode(200);

        refused("/image/" + id + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz", "standin/usr-local-tools",
                "not signed");
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("image_factory_source_image_refusals_total{reason=\"unsigned\"")),
                metrics);
        String ready = given().get("/q/health/ready").then().statusCode(200).extract().asString();
        assertTrue(ready.contains("source-image-verification") && ready.replace(" ", "").contains("\"verification\":\"on\""), ready);
    }

    private static void refused(String path, String image, String reason) {
        Response response = given().get(path);
        String body = response.asString();
        assertEquals(502, response.statusCode(), path + ": " + body);
        assertTrue(body.contains(image) && body.contains(reason) && body.lines().count() == 1, body);
    }

    /** Nothing under the release cache is named by a digest of a refused image. */
    private static void assertNothingCached() {
        Path cache = DATA.resolve("release-cache");
        if (!Files.isDirectory(cache)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(cache, 2)) {
            for (Path entry : walk.toList()) {
                for (String hex : REFUSED) {
                    assertFalse(entry.getFileName().toString().contains(hex), entry + " is cached");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String extension(String name) {
        return "customization:\n  systemExtensions:\n    officialExtensions: [" + name + "]\n";
    }

    // ---- spoiling the copy (files replaced, never written through: the copy is hard links to the stand-in) ----

    static void spoil(Path release) throws IOException {
        Path images = release.resolve("extension-images/standin");
        CosignKey standin = LayoutSignatures.standinKey();
        Digest dummy = LayoutSignatures.root(images.resolve("dummy-module"));
        Digest intel = LayoutSignatures.root(images.resolve("intel-ucode"));

        Digest tampered = tamper(release, images.resolve("usr-local-tools"), "Hello from /usr/local");
        LayoutSignatures.attach(images.resolve("intel-ucode"), intel,
                SimpleSigningPayload.of("localhost/standin/intel-ucode", dummy), standin);
        LayoutSignatures.sign(images.resolve("dummy-module"), dummy, "localhost/standin/dummy-module",
                CosignKey.loadOrCreate(release.resolveSibling("other-key-" + System.nanoTime())));
        Path overlay = release.resolve("overlay-images/standin/sbc-standin");
        Digest overlayDigest = LayoutSignatures.root(overlay);
        LayoutSignatures.remove(overlay, overlayDigest);
        for (Path layout : List.of(images.resolve("usr-local-tools"), images.resolve("intel-ucode"),
                images.resolve("dummy-module"), overlay)) {
            Digest root = LayoutSignatures.root(layout);
            REFUSED.add(root.hex());
            REFUSED.addAll(platformDigests(layout, root));
        }
        assertTrue(REFUSED.contains(tampered.hex()));
    }

    /** The hex digests of the platform manifests of the index {@code root} in {@code layout}. */
    static List<String> platformDigests(Path layout, Digest root) throws IOException {
        List<String> hexes = new java.util.ArrayList<>();
        JSON.readTree(blob(layout, root)).get("manifests")
                .forEach(m -> hexes.add(Digest.parse(m.get("digest").asText()).hex()));
        return hexes;
    }

    /**
     * Changes one byte of {@code text} in the amd64 image's layer and re-points config, manifest, index, index.json
     * and the release's image-digests to the new digests; the old signature stays, for the old digest.
     */
    private static Digest tamper(Path release, Path layout, String text) throws IOException {
        Digest oldIndex = LayoutSignatures.root(layout);
        ObjectNode index = (ObjectNode) JSON.readTree(blob(layout, oldIndex));
        ObjectNode entry = (ObjectNode) index.get("manifests").get(0);
        assertEquals("amd64", entry.path("platform").path("architecture").asText());
        ObjectNode manifest = (ObjectNode) JSON.readTree(blob(layout, Digest.parse(entry.get("digest").asText())));
        ObjectNode layer = (ObjectNode) manifest.get("layers").get(0);
        byte[] tar = new GZIPInputStream(new java.io.ByteArrayInputStream(
                blob(layout, Digest.parse(layer.get("digest").asText())))).readAllBytes();
        String content = new String(tar, StandardCharsets.ISO_8859_1);
        int at = content.indexOf(text);
        assertTrue(at > 0, "the layer holds " + text);
        tar[at] ^= 0x02; // one byte
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] newLayer = gz.toByteArray();
        point(layer, put(layout, newLayer), newLayer.length);
        ObjectNode configDescriptor = (ObjectNode) manifest.get("config");
        ObjectNode config = (ObjectNode) JSON.readTree(blob(layout, Digest.parse(configDescriptor.get("digest").asText())));
        ((ArrayNode) config.get("rootfs").get("diff_ids")).set(0, Digests.sha256(tar).toString());
        byte[] configBytes = JSON.writeValueAsBytes(config);
        point(configDescriptor, put(layout, configBytes), configBytes.length);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest newManifest = put(layout, manifestBytes);
        point(entry, newManifest, manifestBytes.length);
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        Digest newIndex = put(layout, indexBytes);
        ObjectNode indexJson = (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
        point((ObjectNode) indexJson.get("manifests").get(0), newIndex, indexBytes.length);
        LayoutSignatures.replace(layout.resolve("index.json"), JSON.writeValueAsBytes(indexJson));
        for (String file : List.of("extensions/image-digests", "extensions/descriptions.yaml")) {
            Path listing = release.resolve(file);
            LayoutSignatures.replace(listing, Files.readString(listing)
                    .replace(oldIndex.toString(), newIndex.toString()).getBytes(StandardCharsets.UTF_8));
        }
        return newManifest;
    }

    private static void point(ObjectNode descriptor, Digest digest, long size) {
        descriptor.put("digest", digest.toString());
        descriptor.put("size", size);
    }

    private static byte[] blob(Path layout, Digest digest) throws IOException {
        return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.hex()));
    }

    private static Digest put(Path layout, byte[] content) throws IOException {
        Digest digest = Digests.sha256(content);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.hex()), content);
        return digest;
    }
}
