package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricsTest {

    @Inject
    MeterRegistry registry;

    @Test
    void exposesPrometheusTextFormat() {
        given().get("/metrics").then()
                .statusCode(200)
                .header("Content-Type", equalTo("text/plain; version=0.0.4; charset=utf-8"))
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }

    @Test
    void recordsRequestsByRouteTemplate() {
        given().get("/healthz").then().statusCode(200);
        given().get("/test-errors/not-found").then().statusCode(404);
        given().get("/metrics").then()
                .body(containsString("# TYPE http_server_requests_seconds histogram"))
                .body(containsString("http_server_requests_seconds_count{method=\"GET\",status=\"200\",uri=\"/healthz\"}"))
                .body(containsString("http_server_requests_seconds_bucket{method=\"GET\",status=\"200\",uri=\"/healthz\",le=\"0.005\"}"))
                .body(containsString("uri=\"/test-errors/{kind}\""))
                .body(not(containsString("uri=\"/test-errors/not-found\"")));
    }

    @Test
    void unknownRoutesShareOneLabel() {
        given().get("/random-probe-a1b2c3").then().statusCode(404);
        given().post("/healthz").then().statusCode(405);
        given().get("/metrics").then()
                .body(containsString("uri=\"NOT_FOUND\""))
                .body(containsString("uri=\"UNMATCHED\""))
                .body(not(containsString("random-probe")));
    }

    @Test
    void injectedRegistryIsTheExposedOne() {
        registry.counter("image_factory_test_events_total").increment();
        given().get("/metrics").then().body(containsString("image_factory_test_events_total 1.0"));
    }
}
