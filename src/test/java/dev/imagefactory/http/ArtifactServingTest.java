package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.FileArtifactCache;
import dev.imagefactory.config.FactoryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Serving a published artifact over HTTP: full, ranges, conditionals, HEAD, checksums, download names. */
@QuarkusTest
class ArtifactServingTest {

    private static final int SIZE = 3 * 1024 * 1024;
    private static final byte[] DATA = new byte[SIZE];

    static {
        new Random(20240611).nextBytes(DATA);
    }

    @Inject
    ArtifactCache cache;

    @Inject
    ArtifactBuilds builds;

    @Inject
    ArtifactResponses responses;

    @Inject
    FactoryConfig config;

    @Inject
    MeterRegistry registry;

    private CachedArtifact artifact;
    private String url;
    private String etag;

    @BeforeEach
    void publish() throws Exception {
        CacheKey key = CacheKey.of("artifact-serving-test");
        artifact = cache.lookup(key).orElse(null);
        if (artifact == null) {
            Path file = cache.newWorkDir("test").resolve("metal-amd64.iso");
            Files.write(file, DATA);
            artifact = cache.publish(key, file);
        }
        url = "/test-artifacts/" + key.hex() + "/metal-amd64.iso";
        etag = "\"" + artifact.sha256() + "\"";
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    @Test
    void configurationDefaultsAndBeans() {
        assertEquals(20L * 1024 * 1024 * 1024, config.cache().maxSize().asLongValue());
        assertEquals(6, config.build().maxConcurrency());
        assertEquals(Duration.ofMinutes(20), config.build().timeout());
        FileArtifactCache files = (FileArtifactCache) unwrap(cache);
        assertEquals(config.dataDir().resolve("cache").toAbsolutePath().normalize(), files.root());
    }

    private static ArtifactCache unwrap(ArtifactCache proxy) {
        // The bean is a client proxy; a lookup through it reaches the real instance, whose root we compare.
        return proxy instanceof FileArtifactCache f ? f : io.quarkus.arc.ClientProxy.unwrap(proxy);
    }

    @Test
    void fullDownload() throws Exception {
        double servedBefore = served();
        Response response = given().get(url).then()
                .statusCode(200)
                .header("Content-Type", "application/x-iso9660-image")
                .header("Content-Length", String.valueOf(SIZE))
                .header("Content-Disposition", "attachment; filename=\"metal-amd64.iso\"")
                .header("Accept-Ranges", "bytes")
                .header("ETag", etag)
                .header("Cache-Control", "public, max-age=31536000, immutable")
                .header("Content-Range", nullValue())
                .header("Transfer-Encoding", nullValue())
                .extract().response();
        byte[] body = response.asByteArray();
        assertArrayEquals(DATA, body);
        assertEquals(hex("SHA-256", DATA), artifact.sha256());
        assertEquals(SIZE, served() - servedBefore, 0.0);
    }

    private double served() {
        return registry.get("image_factory_assets_served_bytes_total").counter().count();
    }

    @Test
    void rangesAreTheRightSlices() {
        assertSlice("bytes=0-0", 0, 0);
        assertSlice("bytes=1000-1999", 1000, 1999);
        assertSlice("bytes=1048570-2097160", 1048570, 2097160); // across chunk boundaries
        assertSlice("bytes=3000000-", 3000000, SIZE - 1);
        assertSlice("bytes=-500", SIZE - 500, SIZE - 1);
        assertSlice("bytes=-99999999", 0, SIZE - 1); // suffix longer than the artifact
        assertSlice("bytes=3145000-99999999999999999999999", 3145000, SIZE - 1); // end clamped
        assertSlice("Bytes= 5-9 ", 5, 9);
    }

    private void assertSlice(String range, int first, int last) {
        double servedBefore = served();
        byte[] body = given().header("Range", range).get(url).then()
                .statusCode(206)
                .header("Content-Range", "bytes " + first + "-" + last + "/" + SIZE)
                .header("Content-Length", String.valueOf(last - first + 1))
                .header("ETag", etag)
                .header("Content-Disposition", "attachment; filename=\"metal-amd64.iso\"")
                .extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(DATA, first, last + 1), body, range);
        assertEquals(last - first + 1, served() - servedBefore, 0.0, range);
    }

    @Test
    void unsatisfiableRanges() {
        for (String range : new String[] {"bytes=" + SIZE + "-", "bytes=" + SIZE + "-" + (SIZE + 10), "bytes=-0",
                "bytes=99999999999999999999999-"}) {
            given().header("Range", range).get(url).then()
                    .statusCode(416)
                    .header("Content-Range", "bytes */" + SIZE);
        }
    }

    @Test
    void rangesThatAreIgnored() {
        // several ranges, other units, nonsense: the whole artifact
        for (String range : new String[] {"bytes=0-1,5-6", "items=0-1", "bytes=5-2", "bytes=abc", "bytes=1-2-3", "bytes="}) {
            byte[] body = given().header("Range", range).get(url).then()
                    .statusCode(200)
                    .header("Content-Length", String.valueOf(SIZE))
                    .extract().asByteArray();
            assertEquals(SIZE, body.length, range);
        }
    }

    @Test
    void conditionalRequests() {
        given().header("If-None-Match", etag).get(url).then()
                .statusCode(304)
                .header("ETag", etag)
                .header("Cache-Control", "public, max-age=31536000, immutable");
        given().header("If-None-Match", "\"other\", W/" + etag).get(url).then().statusCode(304);
        given().header("If-None-Match", "*").head(url).then().statusCode(304);
        given().header("If-None-Match", "\"other\"").head(url).then().statusCode(200);

        // If-Range: the range applies only while the ETag still matches (strong comparison).
        given().header("Range", "bytes=0-9").header("If-Range", etag).get(url).then()
                .statusCode(206).header("Content-Length", "10");
        for (String stale : new String[] {"\"0000\"", "W/" + etag, "Wed, 21 Oct 2015 07:28:00 GMT"}) {
            given().header("Range", "bytes=0-9").header("If-Range", stale).head(url).then()
                    .statusCode(200).header("Content-Length", String.valueOf(SIZE));
        }
    }

    @Test
    void headHasTheHeadersButNoBody() {
        double servedBefore = served();
        Response full = given().head(url).then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(SIZE))
                .header("Content-Type", "application/x-iso9660-image")
                .header("ETag", etag)
                .header("Accept-Ranges", "bytes")
                .extract().response();
        assertEquals(0, full.asByteArray().length);
        given().header("Range", "bytes=10-19").head(url).then()
                .statusCode(206)
                .header("Content-Length", "10")
                .header("Content-Range", "bytes 10-19/" + SIZE);
        given().header("Range", "bytes=" + SIZE + "-").head(url).then()
                .statusCode(416)
                .header("Content-Range", "bytes */" + SIZE);
        assertEquals(0.0, served() - servedBefore, 0.0);
    }

    @Test
    void checksums() throws Exception {
        String sha256 = given().get(url + ".sha256").then()
                .statusCode(200)
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"metal-amd64.iso.sha256\"")
                .extract().asString();
        assertEquals(hex("SHA-256", DATA) + "  metal-amd64.iso\n", sha256);
        String named = given().queryParam("filename", "talos.iso").get(url + ".sha256").then()
                .statusCode(200)
                .header("Content-Disposition", "attachment; filename=\"talos.iso.sha256\"")
                .extract().asString();
        assertEquals(hex("SHA-256", DATA) + "  talos.iso\n", named);
        given().head(url + ".sha256").then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(64 + 2 + "metal-amd64.iso".length() + 1));
    }

    @Test
    void downloadNamesAreQuotedSafely() {
        assertDisposition("my \"talos\" image.iso", "attachment; filename=\"my _talos_ image.iso\"; "
                + "filename*=UTF-8''my%20%22talos%22%20image.iso");
        assertDisposition("a\\b.iso", "attachment; filename=\"a_b.iso\"; filename*=UTF-8''a%5Cb.iso");
        assertDisposition("tälös-ü.iso", "attachment; filename=\"t_l_s-_.iso\"; filename*=UTF-8''t%C3%A4l%C3%B6s-%C3%BC.iso");
        assertDisposition("evil.iso\r\nSet-Cookie: x=1", "attachment; filename=\"evil.isoSet-Cookie: x=1\"");
        assertDisposition("plain-name_1.2.iso", "attachment; filename=\"plain-name_1.2.iso\"");
    }

    private void assertDisposition(String filename, String expected) {
        given().queryParam("filename", filename).head(url).then()
                .statusCode(200)
                .header("Content-Disposition", expected);
        assertEquals(expected, ArtifactResponses.contentDisposition(filename));
    }

    @Test
    void unknownArtifactIs404() {
        given().get("/test-artifacts/" + "0".repeat(64) + "/metal-amd64.iso").then().statusCode(404);
    }

    @Test
    void buildsAreWiredAndMetricsExposed() throws Exception {
        CacheKey key = CacheKey.of("artifact-serving-test", "built", java.util.UUID.randomUUID().toString()); // fresh each run: the data dir persists
        CachedArtifact built = builds.getOrBuild(key, new BuildLabels("kernel", "v0.0.0-serving-test", "amd64"),
                workDir -> Files.writeString(workDir.resolve("kernel-amd64"), "vmlinuz"));
        assertEquals("vmlinuz", Files.readString(built.file()));
        builds.getOrBuild(key, new BuildLabels("kernel", "v0.0.0-serving-test", "amd64"), workDir -> {
            throw new AssertionError("cached");
        });
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        for (String expected : new String[] {
            "image_factory_assets_built_total{arch=\"amd64\",output_kind=\"kernel\",talos_version=\"v0.0.0-serving-test\",} 1.0",
            "image_factory_assets_delivered_cached_total{arch=\"amd64\",output_kind=\"kernel\",talos_version=\"v0.0.0-serving-test\",}",
            "image_factory_assets_build_latency_seconds_bucket{arch=\"amd64\",output_kind=\"kernel\",talos_version=\"v0.0.0-serving-test\",le=\"600.0\",} 1",
            "image_factory_assets_build_latency_seconds_bucket{arch=\"amd64\",output_kind=\"kernel\",talos_version=\"v0.0.0-serving-test\",le=\"1.0\",} 1",
            "image_factory_assets_concurrency_latency_seconds_count{arch=\"amd64\",output_kind=\"kernel\",talos_version=\"v0.0.0-serving-test\",} 1",
            "# TYPE image_factory_asset_cache_size_bytes gauge",
            "# TYPE image_factory_asset_cache_evictions_total counter",
            "# TYPE image_factory_assets_served_bytes_total counter",
        }) {
            assertTrue(metrics.contains(expected), "metrics lack " + expected);
        }
    }

    @Test
    void aLeaseIsHeldWhileTheFileIsSentAndReleasedAfter() throws Exception {
        FileArtifactCache files = (FileArtifactCache) unwrap(cache);
        String leasedUrl = url + "?leased=true";
        byte[] body = given().get(leasedUrl).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(DATA, body);
        assertTrue(eventually(() -> !files.isPinned(artifact.key())), "released once sent");
        assertArrayEquals(Arrays.copyOfRange(DATA, 10, 20), given().header("Range", "bytes=10-19").get(leasedUrl)
                .then().statusCode(206).extract().asByteArray());
        assertTrue(eventually(() -> !files.isPinned(artifact.key())), "released once a range is sent");
    }

    @Test
    void aClientThatGoesAwayMidwayReleasesTheLease() throws Exception {
        // Bigger than what the socket buffers between us can hold, so the send is still running when we stop reading.
        CacheKey key = CacheKey.of("artifact-serving-test-large");
        CachedArtifact large = cache.lookup(key).orElse(null);
        if (large == null) {
            Path file = cache.newWorkDir("test").resolve("large.iso");
            byte[] block = Arrays.copyOf(DATA, 1024 * 1024);
            try (var out = Files.newOutputStream(file)) {
                for (int i = 0; i < 48; i++) {
                    out.write(block);
                }
            }
            large = cache.publish(key, file);
        }
        FileArtifactCache files = (FileArtifactCache) unwrap(cache);
        int port = io.restassured.RestAssured.port;
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /test-artifacts/" + key.hex() + "/large.iso?leased=true HTTP/1.1\r\n"
                    + "Host: localhost\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] some = socket.getInputStream().readNBytes(256 * 1024);
            assertEquals(256 * 1024, some.length);
            assertTrue(new String(some, 0, 12, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            assertTrue(files.isPinned(key), "held while the file is being sent");
        }
        assertTrue(eventually(() -> !files.isPinned(key)), "released after the client went away");
    }

    /** Polls {@code condition} for up to 20 s (the release runs when the send's future completes). */
    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
