package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class RequestIdTest {
    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @ParameterizedTest
    @CsvSource({"GET,/healthz,200", "GET,/no/such/route,404", "POST,/healthz,405", "GET,/swagger-ui,200",
        "GET,/swagger-ui/missing.js,404", "GET,/test-errors/bug,500"})
    void echoesIncomingRequestId(String method, String path, int status) {
        given().header("X-Request-ID", "req-42 from client").request(method, path).then()
                .statusCode(status)
                .header("X-Request-ID", equalTo("req-42 from client"))
                .header("Server", startsWith("Image Factory "));
    }

    @ParameterizedTest
    @CsvSource({"GET,/healthz,200", "GET,/no/such/route,404", "POST,/healthz,405", "GET,/metrics,200"})
    void generatesUuidWhenAbsent(String method, String path, int status) {
        given().request(method, path).then()
                .statusCode(status)
                .header("X-Request-ID", matchesPattern(UUID_V4))
                .header("Server", startsWith("Image Factory "));
    }

    @Test
    void replacesOverlongOrNonAsciiIds() {
        given().header("X-Request-ID", "x".repeat(129)).get("/healthz").then()
                .header("X-Request-ID", matchesPattern(UUID_V4));
        given().header("X-Request-ID", "x".repeat(128)).get("/healthz").then()
                .header("X-Request-ID", equalTo("x".repeat(128)));
        given().header("X-Request-ID", "caf\u00e9").get("/healthz").then()
                .header("X-Request-ID", matchesPattern(UUID_V4));
    }

    @Test
    void idsAreAcceptedOnlyWhenPrintable() {
        org.junit.jupiter.api.Assertions.assertTrue(RequestIds.accept("abc-123").isPresent());
        org.junit.jupiter.api.Assertions.assertTrue(RequestIds.accept("a\tb").isEmpty());
        org.junit.jupiter.api.Assertions.assertTrue(RequestIds.accept("   ").isEmpty());
        org.junit.jupiter.api.Assertions.assertTrue(RequestIds.accept(null).isEmpty());
    }
}
