package dev.imagefactory.cache.s3;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 case 7: a hung S3 server (S3Proxy stopped with SIGSTOP: connections are accepted, nothing is answered)
 * fails the requests that need it with 503 + Retry-After within {@code factory.cache.s3.timeout}, {@code /readyz}
 * says "not ready" within {@code factory.readiness.timeout}, {@code /healthz} is unaffected, and everything recovers
 * by itself after SIGCONT.
 */
@QuarkusTest
@Tag("slow")
@Tag("timing") // bounds a latency: runs alone (slow-timing-tests)
@TestProfile(S3HangTest.HangProfile.class)
class S3HangTest {

    private static final Logger LOG = Logger.getLogger(S3HangTest.class);
    static final Duration S3_TIMEOUT = Duration.ofSeconds(2);
    static final Duration READINESS_TIMEOUT = Duration.ofSeconds(1);
    /** Scheduling on a loaded CI machine, the request's own work and the 503's way back. */
    static final Duration SLACK = Duration.ofMillis(1500);

    /** S3Proxy for this test class: started before Quarkus, its settings handed to it, stopped after. */
    public static class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
        static S3ProxyServer server;

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "s3-hang-test-");
                server = S3ProxyServer.start(dir);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start S3Proxy", e);
            }
            Map<String, String> config = new HashMap<>();
            for (String property : server.factoryProperties()) {
                int eq = property.indexOf('=');
                config.put(property.substring(0, eq), property.substring(eq + 1));
            }
            return config;
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static class HangProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.data-dir", Path.of("target/s3-hang-test-data/" + System.nanoTime()).toAbsolutePath()
                            .toString(),
                    "factory.cache.s3.timeout", S3_TIMEOUT.toMillis() + "ms",
                    "factory.readiness.timeout", READINESS_TIMEOUT.toMillis() + "ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyResource.class));
        }
    }

    @Test
    void aHungS3Answers503WithinTheTimeoutReadinessWithinItsBoundAndRecoversAfterSigcont() throws Exception {
        String id = given().body("customization: {}\n").post("/schematics").then().statusCode(201)
                .extract().path("id");
        String kernel = "/image/" + id + "/" + StandinRelease.V1_11 + "/kernel-amd64";
        byte[] built = given().get(kernel).then().statusCode(200).extract().asByteArray();
        given().get("/readyz").then().statusCode(200);

        S3ProxyResource.server.freeze();
        try {
            for (String path : List.of("/schematics/" + id,
                    "/image/" + id + "/" + StandinRelease.V1_12 + "/cmdline-metal-amd64")) {
                long start = System.nanoTime();
                Response response = given().get(path);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                LOG.infof("with S3 frozen, GET %s -> %d in %d ms", path, response.statusCode(), took.toMillis());
                assertEquals(503, response.statusCode(), path + ": " + response.asString());
                assertNotNull(response.header("Retry-After"), path);
                assertEquals("storage is unavailable, retry later\n", response.asString());
                assertTrue(took.compareTo(S3_TIMEOUT.plus(SLACK)) <= 0, path + " took " + took.toMillis() + " ms");
            }
            long start = System.nanoTime();
            Response readyz = given().get("/readyz");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.infof("with S3 frozen, GET /readyz -> %d in %d ms", readyz.statusCode(), took.toMillis());
            assertEquals(503, readyz.statusCode());
            assertTrue(took.compareTo(READINESS_TIMEOUT.plus(SLACK)) <= 0, "/readyz took " + took.toMillis() + " ms");
            given().get("/healthz").then().statusCode(200);
        } finally {
            S3ProxyResource.server.resume();
        }

        // Recovery without a restart: readiness comes back (bounded poll), and requests are served again.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (given().get("/readyz").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "/readyz did not recover within 30 s of SIGCONT");
            Thread.sleep(200);
        }
        given().get("/schematics/" + id).then().statusCode(200);
        given().get("/image/" + id + "/" + StandinRelease.V1_12 + "/cmdline-metal-amd64").then().statusCode(200);
        assertArrayEquals(built, given().get(kernel).then().statusCode(200).extract().asByteArray());
    }
}
