package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.ArtifactBuilds;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.model.BuildLabels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 with one build slot ({@code factory.build.max-concurrency=1}) over a private copy of the stand-in release
 * (hard links, so a file can be removed from it): of three builds posted, the first runs and the others wait at
 * positions 1 and 2, and all start in order; a build whose release file is removed before it runs ends {@code failed} with the error text,
 * and the download waiting for it answers as downloads of failed builds always have.
 *
 * <p>Where the test needs the slot held as long as it looks, it is taken by a build of the test's own (through the real scheduler) that waits for the test's signal,
 * so what is queued behind it stays queued as long as the test looks.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BuildQueueTest.OneSlot.class)
class BuildQueueTest {

    static final Path RELEASES = Path.of("target/build-queue-test-releases/" + System.nanoTime()).toAbsolutePath();

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            linkCopy(StandinRelease.ensure(), RELEASES);
            Map<String, String> config = new HashMap<>(new BootAssetsTest.StandinProfile().getConfigOverrides());
            config.put("factory.releases.dir", RELEASES.toString());
            config.put("factory.build.max-concurrency", "1");
            return config;
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    ArtifactBuilds builds;

    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseTheSlot() {
        release.countDown();
    }

    @Test
    void ofThreeBuildsPostedTheSecondAndThirdWaitAtPositionsOneAndTwoAndAllStartInOrder() throws Exception {
        String v = StandinRelease.V1_7; // a GRUB-only ISO: its one need is the initramfs
        String first = schematicWithArg("queue.first");
        // the ISO's need, built ahead: the posted ISO is then one step, holding the only slot while it runs
        given().head("/image/" + first + "/" + v + "/initramfs-amd64.xz").then().statusCode(200);
        String running = post(first, v, "metal-amd64.iso");
        awaitState(running, "running");
        List<String> behind = Stream.of("second", "third")
                .map(name -> post(schematicWithArg("queue." + name), v, "cmdline-metal-amd64")).toList();
        List<Integer> positions = behind.stream().map(id -> given().get("/builds/" + id).jsonPath())
                .map(status -> "queued".equals(status.getString("state")) ? status.getInt("queuePosition") : -1)
                .toList();
        assertEquals("running", given().get("/builds/" + running).jsonPath().getString("state"),
                "the first build still holds the slot while the others are looked at");
        assertEquals(List.of(1, 2), positions, "the second and third wait behind the running first");
        List<String> ids = List.of(running, behind.get(0), behind.get(1));
        List<String> listed = given().get("/builds").jsonPath().getList("builds.id");
        assertTrue(listed.indexOf(ids.get(2)) < listed.indexOf(ids.get(1))
                && listed.indexOf(ids.get(1)) < listed.indexOf(ids.get(0)), "newest first: " + listed);

        SseEvents.read(base.resolve("/builds/" + ids.get(2) + "/events"), null, 1000, Duration.ofMinutes(2));
        Instant previous = Instant.MIN;
        for (String id : ids) {
            JsonPath status = given().get("/builds/" + id).jsonPath();
            assertEquals("succeeded", status.getString("state"));
            assertNull(status.get("queuePosition"), "no queue position once it ran");
            Instant started = Instant.parse(status.getString("startedAt"));
            assertFalse(started.isBefore(previous), "started in the order posted");
            previous = started;
        }
    }

    @Test
    void buildsPostedBehindABusySlotAllWaitWithRisingPositions() throws Exception {
        takeTheSlot();
        String v = StandinRelease.V1_11;
        List<String> ids = Stream.of("a", "b", "c").map(name -> post(schematicWithArg("queue.held." + name), v,
                "cmdline-metal-amd64")).toList();
        for (int i = 0; i < ids.size(); i++) {
            JsonPath status = given().get("/builds/" + ids.get(i)).jsonPath();
            assertEquals("queued", status.getString("state"));
            assertEquals(i + 1, status.getInt("queuePosition"), "build " + (i + 1) + " waits behind the busy slot");
        }
        release.countDown();
        SseEvents.read(base.resolve("/builds/" + ids.get(2) + "/events"), null, 1000, Duration.ofMinutes(2));
        assertEquals("succeeded", given().get("/builds/" + ids.get(2)).jsonPath().getString("state"));
    }

    private static String post(String schematic, String version, String path) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("schematic", schematic, "version", version, "paths", List.of(path)))
                .post("/builds").then().statusCode(202).extract().path("builds[0].id");
    }

    /** Waits (bounded) until the build is in {@code state}. */
    private static void awaitState(String build, String state) throws InterruptedException {
        String now = null;
        for (int i = 0; i < 1500 && !state.equals(now = given().get("/builds/" + build).jsonPath().getString("state")); i++) {
            Thread.sleep(20);
        }
        assertEquals(state, now, "build " + build);
    }

    @Test
    void aBuildWhoseReleaseFileIsRemovedEndsFailedWithTheErrorAndItsDownloadAnswersAsBefore() throws Exception {
        takeTheSlot();
        String id = schematicWithArg("queue.failing");
        String v = StandinRelease.V1_12;
        String build = given().contentType(ContentType.JSON)
                .body(Map.of("schematic", id, "version", v, "paths", List.of("kernel-arm64")))
                .post("/builds").then().statusCode(202).extract().path("builds[0].id");
        double missesBefore = cacheMisses("kernel");
        CompletableFuture<HttpResponse<String>> download = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(base.resolve("/image/" + id + "/" + v + "/kernel-arm64"))
                        .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        awaitCacheMisses("kernel", missesBefore + 1); // the download has planned (file still there) and joined the build

        Path kernel = RELEASES.resolve(v).resolve("usr/install/arm64/vmlinuz");
        Path aside = kernel.resolveSibling("vmlinuz.aside");
        Files.move(kernel, aside);
        try {
            release.countDown();
            List<SseEvents.Event> events = SseEvents.read(base.resolve("/builds/" + build + "/events"), null, 1000,
                    Duration.ofMinutes(2));
            SseEvents.Event last = events.get(events.size() - 1);
            assertEquals("state:failed", last.summary());
            String error = last.json().get("error").asText();
            assertTrue(error.contains("vmlinuz"), error);

            JsonPath status = given().get("/builds/" + build).jsonPath();
            assertEquals("failed", status.getString("state"));
            assertEquals(error, status.getString("error"));
            assertFalse(status.getMap("links").containsKey("artifact"));

            HttpResponse<String> answered = download.get(2, TimeUnit.MINUTES);
            assertEquals(500, answered.statusCode(), "a download whose build failed answers as it always has");
            assertEquals("internal server error\n", answered.body().toLowerCase());
        } finally {
            Files.move(aside, kernel);
        }
    }

    /** Takes the only build slot with a build that runs until the test lets it finish. */
    private void takeTheSlot() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        builds.getOrBuildAsync(CacheKey.of("build-queue-test", Long.toString(System.nanoTime())),
                new BuildLabels("test-blocker", "none", "none"), work -> {
                    running.countDown();
                    release.await(2, TimeUnit.MINUTES);
                    return Files.writeString(work.resolve("blocker"), "held");
                });
        assertTrue(running.await(1, TimeUnit.MINUTES), "the test's build got the slot");
        assertEquals(1, builds.slotsInUse());
    }

    /** Waits (bounded) until a request has missed the cache for {@code kind}: it planned and asked for the build. */
    private static void awaitCacheMisses(String kind, double count) throws InterruptedException {
        for (int i = 0; i < 600 && cacheMisses(kind) < count; i++) {
            Thread.sleep(50);
        }
        assertEquals(count, cacheMisses(kind), "cache misses of " + kind);
    }

    private static double cacheMisses(String kind) {
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("image_factory_asset_cache_misses_total{")
                        && l.contains("output_kind=\"" + kind + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String schematicWithArg(String arg) {
        return BootAssetsTest.createSchematic("customization:\n  extraKernelArgs:\n    - " + arg + "\n");
    }

    /** A copy of {@code from} made of hard links: cheap, and removing a file from it leaves {@code from} whole. */
    static void linkCopy(Path from, Path to) {
        if (Files.exists(to)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.createLink(target, source);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
