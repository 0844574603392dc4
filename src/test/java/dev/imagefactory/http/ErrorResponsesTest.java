package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ErrorResponsesTest {

    private static ValidatableResponse assertPlainTextError(ValidatableResponse response, int status, String body) {
        return response.statusCode(status)
                .header("Content-Type", equalTo("text/plain; charset=utf-8"))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("X-Request-ID", notNullValue())
                .header("Server", containsString("Image Factory "))
                .body(equalTo(body));
    }

    @Test
    void unknownRouteIsOneLinePlainText404() {
        assertPlainTextError(given().get("/no/such/route").then(), 404, "404 page not found\n");
        assertPlainTextError(given().post("/no-such-route").then(), 404, "404 page not found\n");
    }

    @Test
    void unknownSubPathOfKnownResourceIs404() {
        assertPlainTextError(given().get("/healthz/extra").then(), 404, "404 page not found\n");
    }

    @Test
    void headOnUnknownRouteHasNoBody() {
        given().head("/no/such/route").then()
                .statusCode(404)
                .header("X-Request-ID", notNullValue())
                .body(emptyString());
    }

    @Test
    void wrongMethodIs405WithAllowHeader() {
        assertPlainTextError(given().post("/healthz").then(), 405, "Method Not Allowed\n")
                .header("Allow", equalTo("GET, HEAD, OPTIONS"));
        assertPlainTextError(given().delete("/test-errors/invalid").then(), 405, "Method Not Allowed\n")
                .header("Allow", equalTo("GET, HEAD, OPTIONS"));
    }

    @Test
    void wrongMethodOnVertxRouteIs405() {
        assertPlainTextError(given().post("/q/openapi").then(), 405, "Method Not Allowed\n")
                .header("Allow", equalTo("GET, HEAD"));
    }

    @Test
    void invalidInputIs400WithTheMessageOnOneLine() {
        assertPlainTextError(given().get("/test-errors/invalid").then(), 400,
                "invalid profile path: \"metal-amd64.ssd\" second line\n");
    }

    @Test
    void notFoundIs404WithTheMessage() {
        assertPlainTextError(given().get("/test-errors/not-found").then(), 404, "schematic not found\n");
    }

    @Test
    void payloadTooLargeIs413() {
        assertPlainTextError(given().get("/test-errors/too-large").then(), 413, "schematic is too large\n");
    }

    @Test
    void deliberateServiceUnavailableKeepsStatusAndHeaders() {
        assertPlainTextError(given().get("/test-errors/unavailable").then(), 503, "Service Unavailable\n")
                .header("Retry-After", equalTo("30"));
    }

    @Test
    void unexpectedExceptionIs500WithoutDetails() {
        assertPlainTextError(given().get("/test-errors/bug").then(), 500, "internal server error\n")
                .body(not(containsString("secret")));
    }

    @Test
    void malformedJsonBodyIs400OnOneLine() {
        String body = given().contentType("application/json").body("{\n\"a\": ").post("/test-errors/json")
                .then().statusCode(400)
                .header("Content-Type", equalTo("text/plain; charset=utf-8"))
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertEquals(1, body.split("\n", -1).length - 1, body);
        given().contentType("application/json").body("{\"a\": \"not a number\"}").post("/test-errors/json")
                .then().statusCode(400);
        given().contentType("application/json").body("{\"a\": 1}").post("/test-errors/json")
                .then().statusCode(200).body(equalTo("[a]"));
    }

    @Test
    void unsupportedMediaTypeIs415() {
        assertPlainTextError(given().contentType("text/plain").body("x").post("/test-errors/json").then(),
                415, "Unsupported Media Type\n");
    }
}
