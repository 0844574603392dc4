package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.ArtifactBuilds;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricsTest {

    /**
     * Every metric the service exposed before it moved to quarkus-micrometer (listed from the code of that time:
     * SchematicService, ArtifactBuilds, ArtifactResponses, FileArtifactCache, the request timer and the JVM binders
     * registered by hand), by the names a scrape shows. Dashboards depend on them.
     */
    static final List<String> NAMES_BEFORE_THE_MIGRATION = List.of(
            "http_server_requests_seconds",
            "image_factory_schematic_create_total",
            "image_factory_schematic_duplicate_create_total",
            "image_factory_schematic_get_total",
            "image_factory_assets_built_total",
            "image_factory_assets_built_bytes_total",
            "image_factory_assets_build_failed_total",
            "image_factory_assets_delivered_cached_total",
            "image_factory_asset_cache_hits_total",
            "image_factory_asset_cache_misses_total",
            "image_factory_assets_build_latency_seconds",
            "image_factory_assets_concurrency_latency_seconds",
            "image_factory_assets_served_bytes_total",
            "image_factory_asset_cache_size_bytes",
            "image_factory_asset_cache_artifacts",
            "image_factory_asset_cache_max_size_bytes",
            "image_factory_asset_cache_evictions_total",
            "image_factory_asset_cache_evicted_bytes_total",
            // JvmMemoryMetrics
            "jvm_memory_used_bytes", "jvm_memory_committed_bytes", "jvm_memory_max_bytes",
            "jvm_buffer_count_buffers", "jvm_buffer_memory_used_bytes", "jvm_buffer_total_capacity_bytes",
            // JvmThreadMetrics
            "jvm_threads_live_threads", "jvm_threads_daemon_threads", "jvm_threads_peak_threads",
            "jvm_threads_states_threads", "jvm_threads_started_threads_total",
            // ProcessorMetrics, UptimeMetrics
            "system_cpu_count", "system_cpu_usage", "system_load_average_1m", "process_cpu_usage",
            "process_cpu_time_ns_total",
            "process_uptime_seconds", "process_start_time_seconds");

    /** What the framework's binders add: garbage collection and class loading. */
    static final List<String> ADDED_BY_THE_FRAMEWORK = List.of(
            "jvm_gc_pause_seconds", "jvm_classes_loaded_classes");

    @Inject
    MeterRegistry registry;

    @Inject
    ArtifactBuilds builds;

    @Test
    void everyMetricNameIsServed() throws Exception {
        exerciseEveryMeter();
        // jvm_gc_pause_seconds appears after the first collection, which a fresh JVM may not have had yet; the pause
        // is reported by a GC notification on another thread, so poll (bounded) after asking for one
        System.gc();
        String scrape = given().get("/metrics").then().statusCode(200).extract().asString();
        for (int i = 0; i < 50 && !scrape.contains("jvm_gc_pause_seconds_count{"); i++) {
            Thread.sleep(100);
            scrape = given().get("/metrics").then().statusCode(200).extract().asString();
        }
        Set<String> families = scrape.lines().filter(l -> l.startsWith("# TYPE "))
                .map(l -> l.split(" ")[2]).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        for (String name : concat(NAMES_BEFORE_THE_MIGRATION, ADDED_BY_THE_FRAMEWORK)) {
            boolean sampled = scrape.lines().anyMatch(l -> l.startsWith(name + " ") || l.startsWith(name + "{")
                    || l.startsWith(name + "_count{") || l.startsWith(name + "_count "));
            if (!families.contains(name) && !families.contains(name + "_max") || !sampled) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "/metrics lacks " + missing + "\n" + scrape);
    }

    /** Creates every meter: a schematic created twice and read, a build, a cached delivery, a failed build, a download. */
    private void exerciseEveryMeter() throws Exception {
        given().body("customization: {}\n").post("/schematics").then().statusCode(201);
        given().body("customization: {}\n").post("/schematics").then().statusCode(201);
        given().get("/schematics/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba").then().statusCode(200);
        BuildLabels labels = new BuildLabels("kernel", "v0.0.0-metrics-test", "amd64");
        CacheKey key = CacheKey.of("metrics-test", UUID.randomUUID().toString()); // fresh each run: the data dir persists
        CachedArtifact built = builds.getOrBuild(key, labels,
                workDir -> Files.writeString(workDir.resolve("kernel-amd64"), "vmlinuz"));
        builds.getOrBuild(key, labels, workDir -> {
            throw new AssertionError("cached");
        });
        assertThrows(RuntimeException.class, () -> builds.getOrBuild(CacheKey.of("metrics-test", UUID.randomUUID().toString()),
                labels, workDir -> {
                    throw new IllegalStateException("a failing build, for the failure counter");
                }));
        given().get("/test-artifacts/" + built.key().hex() + "/kernel-amd64").then().statusCode(200).body(equalTo("vmlinuz"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void exposesPrometheusTextFormatWhateverTheClientAccepts() {
        for (String accept : new String[] {"*/*", "application/openmetrics-text; version=1.0.0", "text/plain"}) {
            given().header("Accept", accept).get("/metrics").then()
                    .statusCode(200)
                    .header("Content-Type", equalTo("text/plain; version=0.0.4; charset=utf-8"))
                    .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                    .body(not(containsString("# EOF")));
        }
    }

    @Test
    void recordsRequestsByRouteTemplate() {
        given().get("/healthz").then().statusCode(200);
        given().get("/test-errors/not-found").then().statusCode(404);
        given().get("/v2/installer/" + "0".repeat(64) + "/tags/list").then().statusCode(404);
        given().get("/metrics").then()
                .body(containsString("# TYPE http_server_requests_seconds histogram"))
                .body(containsString("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/healthz\",}"))
                .body(containsString("http_server_requests_seconds_bucket{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/healthz\",le=\"0.005\",}"))
                .body(containsString("http_server_requests_seconds_bucket{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/healthz\",le=\"600.0\",}"))
                .body(containsString("uri=\"/test-errors/{kind}\""))
                .body(containsString("uri=\"/v2/{name}/tags/list\""))
                .body(not(containsString("/test-errors/not-found")))
                .body(not(containsString("{name: .+}")));
    }

    @Test
    void unknownRoutesShareOneLabel() {
        given().get("/random-probe-a1b2c3").then().statusCode(404);
        given().post("/random-probe-d4e5f6").then().statusCode(404);
        given().get("/metrics").then()
                .body(containsString("uri=\"NOT_FOUND\""))
                .body(not(containsString("random-probe")));
    }

    @Test
    void injectedRegistryIsTheExposedOne() {
        registry.counter("image_factory_test_events_total").increment();
        given().get("/metrics").then().body(containsString("image_factory_test_events_total 1.0"));
    }
}
