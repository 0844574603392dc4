package dev.imagefactory.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.model.Platform;
import dev.imagefactory.build.ArtifactBuilds;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 case 3: a burst of cold build requests must not starve the probes. 230 ISO requests for the empty
 * schematic (every platform, both arches, the three stand-in versions; 132 distinct, the rest asked twice) with one
 * build at a time: {@code /healthz}, {@code /readyz} and {@code /metrics} still answer each probe within 1 s, and
 * requests beyond {@code factory.build.max-waiting} get 503 + Retry-After. On the code before issue 21 every probe
 * timed out: the waiting requests held all worker threads.
 *
 * <p>The builds this starts are stopped when Quarkus shuts this profile's application down (the build executor is
 * interrupted), and everything lives in this test's own data directory.
 */
@QuarkusTest
@Tag("slow")
@Tag("timing") // bounds a latency: runs alone (slow-timing-tests)
@TestProfile(ProbesUnderBuildLoadTest.LoadProfile.class)
class ProbesUnderBuildLoadTest {

    private static final Logger LOG = Logger.getLogger(ProbesUnderBuildLoadTest.class);
    static final int MAX_WAITING = 30;
    private static final int REQUESTS = 230;
    private static final int PROBE_ROUNDS = 15;
    private static final Duration PROBE_BOUND = Duration.ofSeconds(1);
    private static final String EMPTY_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    public static class LoadProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.data-dir", Path.of("target/probes-under-load-test-data/" + System.nanoTime())
                            .toAbsolutePath().toString(),
                    "factory.build.max-concurrency", "1",
                    "factory.build.max-waiting", Integer.toString(MAX_WAITING),
                    "factory.build.timeout", "20s");
        }
    }

    @Inject
    ArtifactBuilds builds;

    @Inject
    MeterRegistry registry;

    private double cacheMisses() {
        return registry.find("image_factory_asset_cache_misses_total").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void probesAnswerWithinOneSecondWhile230ColdIsoRequestsWait() throws Exception {
        RestAssured.given().body("customization: {}\n").post("/schematics").then().statusCode(201);
        HttpClient clients = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<URI> isos = new ArrayList<>();
        for (String version : StandinRelease.VERSIONS) {
            for (String arch : List.of("amd64", "arm64")) {
                for (Platform platform : Platform.values()) {
                    isos.add(url("/image/" + EMPTY_SCHEMATIC + "/" + version + "/" + platform.pathName() + "-" + arch
                            + ".iso"));
                }
            }
        }
        ConcurrentLinkedQueue<Long> refusalMillis = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> badRefusals = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<HttpResponse<Void>>> cold = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            long sent = System.nanoTime();
            cold.add(clients.sendAsync(HttpRequest.newBuilder(isos.get(i % isos.size())).timeout(Duration.ofMinutes(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                        if (response != null && response.statusCode() == 503) {
                            refusalMillis.add((System.nanoTime() - sent) / 1_000_000);
                            if (response.headers().firstValue("Retry-After").isEmpty()) {
                                badRefusals.add("503 without Retry-After");
                            }
                        }
                    }));
        }
        try {
            // Bounded wait until the burst has arrived: each request looks its initramfs up first (a cache miss).
            // Stops early when arrivals stall (all worker threads held: the bug this test is about).
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            double seen = -1;
            long progressed = System.nanoTime();
            while (cacheMisses() < REQUESTS && System.nanoTime() < deadline
                    && System.nanoTime() - progressed < Duration.ofSeconds(15).toNanos()) {
                if (cacheMisses() > seen) {
                    seen = cacheMisses();
                    progressed = System.nanoTime();
                }
                Thread.sleep(100);
            }
            LOG.infof("burst arrived: %.0f cache misses, %d builds in flight, %d JVM threads", cacheMisses(),
                    builds.buildsInFlight(), ManagementFactory.getThreadMXBean().getThreadCount());

            HttpClient probes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            long worst = 0;
            String worstPath = "";
            List<String> slow = new ArrayList<>();
            for (int round = 0; round < PROBE_ROUNDS; round++) {
                for (String path : List.of("/healthz", "/readyz", "/metrics")) {
                    long start = System.nanoTime();
                    int status;
                    try {
                        status = probes.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (java.net.http.HttpTimeoutException e) {
                        status = -1;
                    }
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (millis > worst) {
                        worst = millis;
                        worstPath = path;
                    }
                    if (status != 200 || millis > PROBE_BOUND.toMillis()) {
                        slow.add(path + " -> " + (status < 0 ? "timeout" : status) + " in " + millis + " ms");
                    }
                }
                Thread.sleep(200);
            }
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            LOG.infof("probes under load: worst %d ms (%s), %d builds in flight, %d JVM threads, %d refusals "
                    + "(slowest %s ms)", worst, worstPath, builds.buildsInFlight(), threads, refusalMillis.size(),
                    refusalMillis.stream().max(Long::compare).orElse(-1L));
            assertEquals(List.of(), slow, "every probe answers 200 within " + PROBE_BOUND.toMillis() + " ms (worst "
                    + worst + " ms)");
            assertTrue(refusalMillis.size() >= REQUESTS / 2,
                    "requests beyond max-waiting=" + MAX_WAITING + " are refused; refused: " + refusalMillis.size());
            // Admitted requests leave only as builds finish (one at a time), so most of the burst is refused. That a
            // refusal never waits for a build is ArtifactBuildsTest's to show: its timing here is the machine's.
            assertEquals(List.of(), List.copyOf(badRefusals));
        } finally {
            cold.forEach(f -> f.cancel(true));
        }
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + RestAssured.port + path);
    }
}
