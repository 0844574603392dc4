package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 against the stand-in release: a build started ahead ({@code POST /builds}) is watched over SSE from
 * {@code queued} to {@code succeeded} and then downloaded without a build; two watchers see the same story and one
 * that reconnects with {@code Last-Event-ID} misses nothing; {@code Prefer: respond-async}; the installer warm-up
 * before {@code talosctl upgrade}.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class BuildsApiTest {

    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(5);

    @TestHTTPResource("/")
    URI base;

    @Test
    void anIsoPostedAheadIsWatchedToSucceededThenServedFromTheCacheWithoutABuild() throws Exception {
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - builds.ahead=iso\n"));
        String v = StandinRelease.V1_11;
        double isosBefore = BootAssetsTest.builtCount("iso");

        Response posted = given().contentType(ContentType.JSON)
                .body(Map.of("schematic", id, "version", v, "paths", List.of("metal-amd64.iso")))
                .post("/builds");
        posted.then().statusCode(202);
        String build = posted.jsonPath().getString("builds[0].id");
        assertEquals("/builds/" + build, URI.create(posted.header("Location")).getPath());
        assertEquals("metal-amd64.iso", posted.jsonPath().getString("builds[0].path"));
        assertEquals(id, posted.jsonPath().getString("builds[0].schematic"));

        List<SseEvents.Event> events = SseEvents.read(base.resolve("/builds/" + build + "/events"), null, 1000,
                STREAM_TIMEOUT);
        List<String> story = events.stream().map(SseEvents.Event::summary).toList();
        assertEquals("state:queued", story.get(0), story.toString());
        assertEquals("state:succeeded", story.get(story.size() - 1), story.toString());
        int running = story.indexOf("state:running");
        int stepStarted = story.indexOf("step-started:iso");
        int stepEnded = story.indexOf("step-ended:iso");
        assertTrue(0 < running && running < stepStarted && stepStarted < stepEnded
                && stepEnded < story.size() - 1, "queued, running, the step, succeeded, in order: " + story);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(Integer.toString(i + 1), events.get(i).id(), "events are numbered in order");
            assertEquals(events.get(i).json().get("type").asText(), events.get(i).name());
        }
        assertEquals(1.0, BootAssetsTest.builtCount("iso") - isosBefore, "the ISO was built ahead, once");

        Response status = given().get("/builds/" + build);
        status.then().statusCode(200);
        assertEquals("succeeded", status.jsonPath().getString("state"));
        assertEquals("/image/" + id + "/" + v + "/metal-amd64.iso", status.jsonPath().getString("links.artifact"));
        assertEquals(2, status.jsonPath().getList("needs").size(), "it waited for the initramfs and UKI builds");
        long isoBytes = status.jsonPath().getLong("steps.find { it.name == 'iso' }.bytes");
        assertTrue(given().get("/builds?schematic=" + id).jsonPath().getList("builds.id").contains(build));

        double cachedBefore = deliveredCached("iso");
        byte[] iso = BootAssetsTest.get("/image/" + id + "/" + v + "/metal-amd64.iso");
        assertEquals(isoBytes, iso.length, "the step wrote the served ISO");
        assertEquals(1.0, BootAssetsTest.builtCount("iso") - isosBefore, "the download built nothing");
        assertEquals(1.0, deliveredCached("iso") - cachedBefore, "the download was served from the cache");
    }

    @Test
    void twoWatchersSeeTheSameStoryAndOneThatReconnectsWithLastEventIdMissesNone() throws Exception {
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - builds.watchers=2\n"));
        String v = StandinRelease.V1_12;
        String build = given().contentType(ContentType.JSON)
                .body(Map.of("paths", List.of("/image/" + id + "/" + v + "/metal-amd64.iso")))
                .post("/builds").then().statusCode(202).extract().path("builds[0].id");
        URI events = base.resolve("/builds/" + build + "/events");

        // one watcher follows the build to its end while the other leaves after two events and comes back at once
        // (while the build runs, as a rule: the ISO's initramfs and UKI take seconds) with the last ID it saw
        CompletableFuture<List<SseEvents.Event>> following = CompletableFuture.supplyAsync(() -> {
            try {
                return SseEvents.read(events, null, 1000, STREAM_TIMEOUT);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        List<SseEvents.Event> firstPart = SseEvents.read(events, null, 2, STREAM_TIMEOUT);
        assertEquals(2, firstPart.size());
        List<SseEvents.Event> rest = SseEvents.read(events, firstPart.get(1).id(), 1000, STREAM_TIMEOUT);
        List<SseEvents.Event> whole = following.get(5, TimeUnit.MINUTES);
        List<SseEvents.Event> rejoined = new ArrayList<>(firstPart);
        rejoined.addAll(rest);
        assertEquals(whole, rejoined, "the reconnected watcher saw every event once, in order");
        assertEquals("state:succeeded", whole.get(whole.size() - 1).summary());
        assertEquals(SseEvents.read(events, null, 1000, STREAM_TIMEOUT), whole, "a finished build replays the same story");

        given().header("Last-Event-ID", "x").get("/builds/" + build + "/events").then().statusCode(400);
        given().get("/builds/0123456789abcdef/events").then().statusCode(404);
        given().get("/builds/0123456789abcdef").then().statusCode(404);
    }

    @Test
    void startingAheadRefusesWhatTheDownloadRefusesAndJoinsIdenticalBuilds() {
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - builds.join=1\n"));
        String v = StandinRelease.V1_11;
        for (String path : List.of("metal-amd64.iso", "nonsense-amd64.img", "kernel-sparc")) {
            int download = given().head("/image/" + "0".repeat(64) + "/" + v + "/" + path).statusCode();
            given().contentType(ContentType.JSON).body(Map.of("schematic", "0".repeat(64), "version", v,
                    "paths", List.of(path))).post("/builds").then().statusCode(download);
            int wrongVersion = given().head("/image/" + id + "/v0.0.1/" + path).statusCode();
            given().contentType(ContentType.JSON).body(Map.of("schematic", id, "version", "v0.0.1",
                    "paths", List.of(path))).post("/builds").then().statusCode(wrongVersion);
        }
        given().contentType(ContentType.JSON).body(Map.of("schematic", id, "version", v))
                .post("/builds").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{").post("/builds").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("schematic", id, "version", v,
                "paths", List.of("metal-amd64.iso", "kernel-sparc"))).post("/builds").then().statusCode(400);
        assertTrue(given().get("/builds?schematic=" + id).jsonPath().getList("builds").isEmpty(),
                "a refused request started nothing, not even the valid path in it");

        Map<String, Object> body = Map.of("schematic", id, "version", v, "paths", List.of("metal-amd64-uki.efi"));
        String first = given().contentType(ContentType.JSON).body(body).post("/builds").then().statusCode(202)
                .extract().path("builds[0].id");
        String second = given().contentType(ContentType.JSON).body(body).post("/builds").then().statusCode(202)
                .extract().path("builds[0].id");
        String state = given().get("/builds/" + first).jsonPath().getString("state");
        if (!state.equals("succeeded")) {
            assertEquals(first, second, "an identical request joins the build under way");
        } else {
            assertTrue(given().get("/builds/" + second).jsonPath().getBoolean("cached") || first.equals(second),
                    "after the build, an identical request finds the artifact cached");
        }
    }

    @Test
    void preferRespondAsyncAnswers202ForAColdAssetAndServesACachedOne() throws Exception {
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - builds.async=1\n"));
        String path = "/image/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64-uki.efi";
        Response accepted = given().header("Prefer", "respond-async, wait=5").get(path);
        accepted.then().statusCode(202).header("Preference-Applied", "respond-async");
        String location = accepted.header("Location");
        assertTrue(location.matches(".*/builds/[0-9a-f]{16}"), location);

        List<SseEvents.Event> events = SseEvents.read(base.resolve(URI.create(location).getPath() + "/events"), null,
                1000, STREAM_TIMEOUT);
        assertEquals("state:succeeded", events.get(events.size() - 1).summary());
        given().get(location).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("succeeded"));

        Response cached = given().header("Prefer", "respond-async").get(path);
        cached.then().statusCode(200);
        assertFalse(cached.headers().hasHeaderWithName("Preference-Applied"));
        assertArrayEquals(BootAssetsTest.get(path), cached.asByteArray(), "a cached asset is served as without it");
        given().header("Prefer", "respond-async").head(path).then().statusCode(200);
    }

    @Test
    void aWarmedUpInstallerIsPulledWithoutAnyBuild() throws Exception {
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - builds.warm=installer\n"));
        String v = StandinRelease.V1_7;
        Response posted = given().contentType(ContentType.JSON)
                .body(Map.of("schematic", id, "version", v, "paths", List.of("installer"))).post("/builds");
        posted.then().statusCode(202);
        String build = posted.jsonPath().getString("builds[0].id");
        assertEquals(2, posted.jsonPath().getList("builds[0].needs").size(), "one installer build per architecture");
        List<SseEvents.Event> events = SseEvents.read(base.resolve("/builds/" + build + "/events"), null, 1000,
                STREAM_TIMEOUT);
        assertEquals("state:succeeded", events.get(events.size() - 1).summary(), events.toString());

        double installers = BootAssetsTest.builtCount("installer");
        double indexes = BootAssetsTest.builtCount("installer-index");
        assertTrue(installers >= 2 && indexes >= 1, "the warm-up built them");
        String inspected = new ProcessRunner(Duration.ofMinutes(2)).run(ProcessRunner.Command.of("skopeo", "inspect",
                "--tls-verify=false", "docker://127.0.0.1:" + base.getPort() + "/installer/" + id + ":" + v)).stdout();
        assertTrue(inspected.contains("\"Digest\""), inspected);
        assertEquals(installers, BootAssetsTest.builtCount("installer"), "the pull built no installer");
        assertEquals(indexes, BootAssetsTest.builtCount("installer-index"), "the pull assembled no index");
    }

    private static double deliveredCached(String kind) {
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("image_factory_assets_delivered_cached_total{")
                        && l.contains("output_kind=\"" + kind + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
