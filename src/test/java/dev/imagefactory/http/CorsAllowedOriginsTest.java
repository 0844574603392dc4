package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code factory.http.allowed-origins} (reference {@code http.allowedOrigins}): listed origins get their own origin
 * back, any other gets no CORS header at all, yet the usual answer (rs/cors does not refuse the request; the browser
 * hides the answer from that origin's code).
 */
@QuarkusTest
@TestProfile(CorsAllowedOriginsTest.Listed.class)
class CorsAllowedOriginsTest {

    public static class Listed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("factory.http.allowed-origins", "https://app.example.com,https://*.tools.example");
        }
    }

    private static final String ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    private static final List<String> ROUTES = List.of("/versions", "/schematics",
            "/image/" + ID + "/v1.11.0/metal-amd64.iso", "/pxe/" + ID + "/v1.11.0/metal-amd64");

    @Test
    void aListedOriginGetsItselfBack() {
        for (String origin : List.of("https://app.example.com", "https://ci.tools.example")) {
            for (String path : ROUTES) {
                given().header("Origin", origin).header("Access-Control-Request-Method", "GET").options(path).then()
                        .statusCode(204).header("Access-Control-Allow-Origin", origin)
                        .header("Access-Control-Allow-Methods", "GET");
                given().header("Origin", origin).get(path).then().header("Access-Control-Allow-Origin", origin)
                        .header("Access-Control-Expose-Headers", containsString("Content-Disposition"));
                given().header("Origin", origin).head(path).then().header("Access-Control-Allow-Origin", origin);
            }
        }
    }

    @Test
    void anotherOriginGetsNoCorsHeadersButTheUsualAnswer() {
        for (String origin : List.of("https://evil.example", "https://tools.example", "http://app.example.com")) {
            for (String path : ROUTES) {
                given().header("Origin", origin).header("Access-Control-Request-Method", "GET").options(path).then()
                        .statusCode(204).header("Access-Control-Allow-Origin", nullValue())
                        .header("Access-Control-Allow-Methods", nullValue());
                given().header("Origin", origin).get(path).then().header("Access-Control-Allow-Origin", nullValue())
                        .header("Access-Control-Expose-Headers", nullValue());
                given().header("Origin", origin).head(path).then().header("Access-Control-Allow-Origin", nullValue());
            }
            given().header("Origin", origin).get("/versions").then().statusCode(200); // not 403
        }
    }
}
