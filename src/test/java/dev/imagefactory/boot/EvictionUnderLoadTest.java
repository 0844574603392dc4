package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Issue 21 cases 4 and 5: with a cache far smaller than what concurrent cold requests build
 * ({@code factory.cache.max-size=50M}), eviction never breaks a build, a download or a pull (no 5xx, every body
 * whole), and a pull by digest of an installer image evicted since is served again (rebuilt, same digest).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(EvictionUnderLoadTest.SmallCacheProfile.class)
class EvictionUnderLoadTest {

    /** The stand-in release with a 50 MB cache: eight cold ISOs or installer tarballs are several times that. */
    public static class SmallCacheProfile extends BootAssetsTest.StandinProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("factory.cache.max-size", "50M");
            config.put("factory.data-dir", Path.of("target/eviction-test-data/" + System.nanoTime())
                    .toAbsolutePath().toString());
            return config;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERSIONS = StandinRelease.VERSIONS;
    private static final List<String> ARCHES = List.of("amd64", "arm64");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(5));

    @Inject
    BlobStore store;

    @TempDir
    Path dir;

    /** What a concurrent download got: status, the SHA-256 of the body as received, the ETag, and a body check. */
    record Download(String path, int status, String sha256, String etag, boolean wellFormed, String error) {
    }

    @Test
    void eightConcurrentColdIsosAreAllServedWhole() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = BootAssetsTest.createSchematic(schematic("iso", i));
            paths.add("/image/" + id + "/" + VERSIONS.get(i % 3) + "/metal-" + ARCHES.get(i % 2) + ".iso");
        }
        double evictions = evictions();
        assertAllWhole(downloadConcurrently(paths, EvictionUnderLoadTest::isIso));
        assertTrue(evictions() > evictions, "the test must make the cache evict");
    }

    @Test
    void eightConcurrentColdInstallerTarballsAreAllServedWhole() throws Exception {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = BootAssetsTest.createSchematic(schematic("tar", i));
            paths.add("/image/" + id + "/" + VERSIONS.get(i % 3) + "/installer-" + ARCHES.get(i % 2) + ".tar");
        }
        double evictions = evictions();
        assertAllWhole(downloadConcurrently(paths, EvictionUnderLoadTest::isDockerArchive));
        assertTrue(evictions() > evictions, "the test must make the cache evict");
    }

    @Test
    void fourConcurrentPullsSucceedTwiceWithTheSameIndexes() throws Exception {
        List<URI> manifests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = BootAssetsTest.createSchematic(schematic("pull", i));
            String v = i % 2 == 0 ? StandinRelease.V1_12 : StandinRelease.V1_7;
            manifests.add(URI.create("http://" + InstallerRegistryTest.host() + "/v2/installer/" + id + "/manifests/" + v));
        }
        double evictions = evictions();
        List<String> first = pullConcurrently(manifests);
        List<String> second = pullConcurrently(manifests);
        assertEquals(first, second, "a tag gives the same index every time (builds are reproducible)");
        assertTrue(evictions() > evictions, "the test must make the cache evict");
    }

    @Test
    void aPullByDigestOfAnEvictedImageRebuildsItWithTheSameDigests() throws Exception {
        String repository = "installer/" + BootAssetsTest.createSchematic(schematic("digest", 0));
        Response tagged = given().accept(MediaTypes.OCI_INDEX).get("/v2/" + repository + "/manifests/"
                + StandinRelease.V1_12);
        tagged.then().statusCode(200);
        Digest evicted = Digest.parse(tagged.header("Docker-Content-Digest"));

        // Pull other images, one at a time, until this one has been evicted (its record, indexes and blobs together).
        for (int i = 1; i < 10 && store.has(evicted); i++) {
            String id = BootAssetsTest.createSchematic(schematic("digest", i));
            given().accept(MediaTypes.OCI_INDEX).get("/v2/installer/" + id + "/manifests/" + StandinRelease.V1_12)
                    .then().statusCode(200);
        }
        assertFalse(store.has(evicted), "the image must have been evicted for this test to mean anything");

        String reference = InstallerRegistryTest.host() + "/" + repository + "@" + evicted;
        byte[] index = skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference)
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(evicted, Digests.sha256(index), "the evicted index comes back byte for byte");
        Path copied = dir.resolve("copied");
        // skopeo checks every manifest and blob it copies against its digest
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + reference, "oci:" + copied + ":installer");
        JsonNode layout = JSON.readTree(copied.resolve("index.json").toFile());
        assertEquals(evicted.toString(), layout.get("manifests").get(0).get("digest").asText());

        // a digest this registry never served: the documented, honest answer
        String never = Digests.sha256("never served".getBytes(StandardCharsets.UTF_8)).toString();
        Response unknown = given().accept(MediaTypes.OCI_INDEX).get("/v2/" + repository + "/manifests/" + never);
        unknown.then().statusCode(404);
        JsonNode error = JSON.readTree(unknown.asByteArray()).get("errors").get(0);
        assertEquals("MANIFEST_UNKNOWN", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("pull " + repository + " by tag"), error.toString());
        given().get("/v2/" + repository + "/blobs/" + never).then().statusCode(404);
    }

    private static String schematic(String purpose, int i) {
        return "customization:\n  extraKernelArgs:\n    - eviction." + purpose + "=" + i + "\n";
    }

    /** Issues every GET at once; each body is hashed and checked as it streams in (never held whole). */
    private List<Download> downloadConcurrently(List<String> paths, Predicate<Path> wellFormed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(paths.size());
        try {
            List<Future<Download>> downloads = new ArrayList<>();
            for (String path : paths) {
                downloads.add(pool.submit(() -> download(path, wellFormed)));
            }
            List<Download> results = new ArrayList<>();
            for (Future<Download> download : downloads) {
                results.add(download.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private Download download(String path, Predicate<Path> wellFormed) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                URI.create("http://" + InstallerRegistryTest.host() + path)).timeout(Duration.ofMinutes(15)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                return new Download(path, response.statusCode(), null, null, false,
                        new String(in.readNBytes(2000), StandardCharsets.UTF_8));
            }
        }
        Path file = Files.createTempFile(dir, "download", ".bin");
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(response.body(), sha256)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        boolean ok = wellFormed.test(file);
        Files.delete(file);
        return new Download(path, 200, HexFormat.of().formatHex(sha256.digest()),
                response.headers().firstValue("ETag").orElse(""), ok, null);
    }

    private static void assertAllWhole(List<Download> downloads) {
        for (Download d : downloads) {
            assertEquals(200, d.status(), d.path() + ": " + d.error());
            assertEquals("\"" + d.sha256() + "\"", d.etag(), d.path() + ": the body is the published artifact");
            assertTrue(d.wellFormed(), d.path() + " is not well formed");
        }
    }

    /** Every manifest GET at once; returns the index digests in order, each checked against its body. */
    private List<String> pullConcurrently(List<URI> manifests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(manifests.size());
        try {
            List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
            for (URI manifest : manifests) {
                pulls.add(pool.submit(() -> http.send(HttpRequest.newBuilder(manifest)
                        .header("Accept", MediaTypes.OCI_INDEX + ", " + MediaTypes.OCI_MANIFEST)
                        .timeout(Duration.ofMinutes(15)).build(), HttpResponse.BodyHandlers.ofByteArray())));
            }
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < pulls.size(); i++) {
                HttpResponse<byte[]> response = pulls.get(i).get();
                assertEquals(200, response.statusCode(), manifests.get(i) + ": " + new String(response.body(),
                        StandardCharsets.UTF_8));
                String digest = response.headers().firstValue("Docker-Content-Digest").orElseThrow();
                assertEquals(Digests.sha256(response.body()).toString(), digest);
                digests.add(digest);
            }
            return digests;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double evictions() {
        return given().get("/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("image_factory_asset_cache_evictions_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** An ISO 9660 image: the primary volume descriptor's "CD001" at 32769. */
    private static boolean isIso(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(32769);
            return new String(in.readNBytes(5), StandardCharsets.US_ASCII).equals("CD001");
        } catch (IOException e) {
            return false;
        }
    }

    /** A docker-save tarball that reads to its end and has a manifest.json. */
    private static boolean isDockerArchive(Path file) {
        boolean manifest = false;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(file))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                manifest |= entry.getName().equals("manifest.json");
            }
            return manifest;
        } catch (IOException e) {
            return false;
        }
    }

    private String skopeo(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }
}
