package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CORS on every route with the default {@code factory.http.allowed-origins=*}, checked as the reference's integration
 * test {@code checkCors} (internal/integration/download_test.go) checks it: a preflight from {@code https://foo.com}
 * asking for GET with {@code cache-control} gets exactly {@code Access-Control-Allow-Methods: GET} and
 * {@code Access-Control-Allow-Headers: cache-control}; GET and HEAD get an allowed origin and expose
 * {@code Content-Disposition}, {@code Content-Length} and {@code Content-Type}. The reference wraps its whole router
 * in rs/cors, so error answers carry the headers too (browser code can read the reason).
 */
@QuarkusTest
class CorsTest {

    private static final String ORIGIN = "https://foo.com";
    private static final String ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    private static List<String> routes() {
        given().body("customization: {}\n").post("/schematics").then().statusCode(201);
        return List.of("/versions", "/schematics", "/schematics/" + ID, "/image/" + ID + "/v1.11.0/metal-amd64.raw.xz",
                "/pxe/" + ID + "/v1.11.0/metal-amd64", "/v2/", "/llms.txt");
    }

    @Test
    void preflightsAnswerAsTheReferenceChecksThem() {
        for (String path : routes()) {
            given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "GET")
                    .header("Access-Control-Request-Headers", "cache-control").options(path).then()
                    .statusCode(204) // rs/cors' answer to a preflight
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Access-Control-Allow-Methods", "GET")
                    .header("Access-Control-Allow-Headers", "cache-control")
                    .header("Vary", containsString("Origin"));
        }
    }

    @Test
    void getAndHeadFromAForeignOriginExposeTheDownloadHeaders() {
        for (String path : routes()) {
            for (String method : List.of("GET", "HEAD")) {
                Response response = given().header("Origin", ORIGIN).request(method, path);
                assertEquals("*", response.header("Access-Control-Allow-Origin"), method + " " + path);
                List<String> exposed = Arrays.stream(response.header("Access-Control-Expose-Headers").split(","))
                        .map(String::trim).toList();
                assertTrue(exposed.containsAll(List.of("Content-Disposition", "Content-Length", "Content-Type")),
                        method + " " + path + ": " + exposed);
                assertTrue(response.header("Vary").contains("Origin"), method + " " + path);
            }
        }
    }

    @Test
    void browsersMayPostSchematicsAndNothingElse() {
        given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").options("/schematics").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "POST")
                .header("Access-Control-Allow-Headers", "content-type");
        given().header("Origin", ORIGIN).contentType("application/json").body("{\"customization\":{}}")
                .post("/schematics").then().statusCode(201).header("Access-Control-Allow-Origin", "*");
        // other paths: no POST, and no method the routes do not have
        for (String method : List.of("POST", "PUT", "DELETE")) {
            given().header("Origin", ORIGIN).header("Access-Control-Request-Method", method).options("/versions").then()
                    .statusCode(204).header("Access-Control-Allow-Origin", nullValue())
                    .header("Access-Control-Allow-Methods", nullValue());
        }
        given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "PUT").options("/schematics").then()
                .statusCode(204).header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void aPreflightAskingForAHeaderThatIsNotAllowedGetsNoCorsHeaders() {
        given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "cache-control, x-secret").options("/versions").then()
                .statusCode(204).header("Access-Control-Allow-Origin", nullValue())
                .header("Access-Control-Allow-Headers", nullValue());
        // our downloads' own request headers are allowed besides the reference's Cache-Control
        given().header("Origin", ORIGIN).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "range,if-none-match").options("/image/" + ID + "/v1.11.0/kernel-amd64")
                .then().statusCode(204).header("Access-Control-Allow-Headers", "range,if-none-match");
    }

    @Test
    void requestsWithoutAnOriginGetNoCorsHeadersButVary() {
        given().get("/versions").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue())
                .header("Vary", containsString("Origin"));
        // a plain OPTIONS (no Access-Control-Request-Method) is no preflight: JAX-RS answers it with Allow
        given().header("Origin", ORIGIN).options("/versions").then().statusCode(200)
                .header("Allow", containsString("GET")).header("Access-Control-Allow-Origin", "*");
    }

    @Test
    void unknownPathsAndErrorsCarryTheHeadersToo() {
        given().header("Origin", ORIGIN).get("/no/such/route").then().statusCode(404)
                .header("Access-Control-Allow-Origin", "*");
        given().header("Origin", ORIGIN).get("/v2/foo/manifests/v1").then().statusCode(404)
                .header("Access-Control-Allow-Origin", "*");
    }
}
