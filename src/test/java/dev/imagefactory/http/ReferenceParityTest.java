package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Statuses and texts the reference answers, each test naming the reference behaviour it follows (its integration tests
 * in internal/integration/, its router in internal/frontend/http/). Go callers of the reference's client match on
 * these texts, so they are the reference's, word for word, where it has them.
 */
@QuarkusTest
class ReferenceParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    private static String emptySchematic() {
        return given().body("customization: {}\n").post("/schematics").then().statusCode(201).extract().path("id");
    }

    /** download_test.go "invalid/schematic": an ID that is none is looked up, not found: 404 with this exact line. */
    @Test
    void imageWithAnIdThatIsNoIdIsNotFound() {
        given().get("/image/aaaaaaaaaaaa/v1.5.0/metal-amd64.iso").then().statusCode(404)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(equalTo("schematic ID \"aaaaaaaaaaaa\" not found\n"));
        given().head("/image/aaaaaaaaaaaa/v1.5.0/metal-amd64.iso").then().statusCode(404);
        given().get("/image/" + "b".repeat(64) + "/v1.5.0/metal-amd64.iso").then().statusCode(404)
                .body(equalTo("schematic ID \"" + "b".repeat(64) + "\" not found\n"));
    }

    /** pxe.go looks the schematic up first, as image.go does: same 404 and text. */
    @Test
    void pxeWithAnIdThatIsNoIdIsNotFound() {
        given().get("/pxe/aaaaaaaaaaaa/v1.5.0/metal-amd64").then().statusCode(404)
                .body(equalTo("schematic ID \"aaaaaaaaaaaa\" not found\n"));
    }

    /** download_test.go "invalid/profile": 400 with the handler's prefix and ParseFromPath's text. */
    @Test
    void anInvalidProfilePathIsRefusedInTheReferenceWords() {
        String id = emptySchematic();
        given().get("/image/" + id + "/v1.5.0/metal-amd64.ssd").then().statusCode(400)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(equalTo("error parsing profile from path: invalid profile path: \"metal-amd64.ssd\"\n"));
        given().get("/image/" + id + "/v1.5.0/metal-riscv64.iso").then().statusCode(400)
                .body(equalTo("error parsing profile from path: invalid architecture: \"riscv64\"\n"));
        given().get("/pxe/" + id + "/v1.5.0/metal").then().statusCode(400)
                .body(equalTo("error parsing profile from path: invalid platform-arch: \"metal\"\n"));
    }

    /** image.go looks the schematic up (step 2) before it parses the path (step 4): the 404 wins over the 400. */
    @Test
    void anUnknownSchematicWinsOverABadPath() {
        given().get("/image/aaaaaaaaaaaa/v1.5.0/metal-amd64.ssd").then().statusCode(404)
                .body(equalTo("schematic ID \"aaaaaaaaaaaa\" not found\n"));
        given().get("/pxe/" + "c".repeat(64) + "/v1.5.0/metal").then().statusCode(404);
    }

    /** schematic_test.go "invalid": go-yaml's strict decoding names the field and the Go type. */
    @Test
    void anUnknownSchematicFieldIsNamedAsGoYamlNamesIt() {
        given().body("something:").post("/schematics").then().statusCode(400)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(equalTo("yaml: construct errors: line 1: field something not found in type schematic.Schematic\n"));
        given().body("customization:\n  systemExtensions:\n    officialExtension: [a]\n").post("/schematics").then()
                .statusCode(400).body(equalTo("yaml: construct errors: line 3: field officialExtension not found in"
                        + " type schematic.SystemExtensions\n"));
    }

    /** schematic_test.go "nonexistent get": the client's error contains "schematic not found". */
    @Test
    void anUnknownSchematicIsNotFound() {
        given().get("/schematics/" + "d".repeat(64)).then().statusCode(404)
                .body(containsString("schematic not found"));
        given().get("/schematics/not-an-id").then().statusCode(404).body(containsString("schematic not found"));
        given().get("/schematics/" + EMPTY_ID.toUpperCase()).then().statusCode(404);
    }

    /**
     * registry_routes.go RouteV2: a repository that is not exactly {@code <image>/<schematic>} is an unknown registry
     * path (404), {@code siderolabs/...} is the source-image proxy's and an unknown image there is 404 too; the
     * distribution spec's JSON error says so, where the reference has plain text.
     */
    @Test
    void unknownRepositoriesAreNotFound() throws Exception {
        for (String path : List.of("/v2/foo/manifests/v1", "/v2/foo/blobs/sha256:" + "1".repeat(64),
                "/v2/a/b/c/manifests/v1", "/v2/a/b/c/blobs/sha256:" + "1".repeat(64),
                "/v2/siderolabs/nonexistent/manifests/v1.11.0", "/v2/siderolabs/nonexistent/blobs/sha256:" + "1".repeat(64),
                "/v2/foo/tags/list", "/v2/a/b/c/referrers/sha256:" + "1".repeat(64))) {
            assertRegistryError(given().get(path), 404, "NAME_UNKNOWN", path);
            given().head(path).then().statusCode(404);
        }
    }

    /** registry.go handleManifest: schematic lookup (404) first, then getRequestedImage (400 "invalid image: x"). */
    @Test
    void theSchematicIsLookedUpBeforeTheImageName() throws Exception {
        String id = emptySchematic();
        assertRegistryError(given().get("/v2/metal-installer/not-an-id/manifests/v1.11.0"), 404, "NAME_UNKNOWN", "bad id");
        assertRegistryError(given().get("/v2/imager/" + "e".repeat(64) + "/manifests/v1.11.0"), 404, "NAME_UNKNOWN",
                "unknown schematic, bad image");
        JsonNode error = assertRegistryError(given().get("/v2/imager/" + id + "/manifests/v1.11.0"), 400, "NAME_INVALID",
                "known schematic, bad image");
        assertTrue(error.get("message").asText().startsWith("invalid image: imager"), error.toString());
    }

    /** llmstxt.go / llmstxt_test.go: 200, text/plain; charset=utf-8, a description naming this factory's address. */
    @Test
    void llmsTxtDescribesThisFactory() {
        String text = given().get("/llms.txt").then().statusCode(200)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(not(equalTo(""))).extract().asString();
        assertTrue(text.startsWith("# Image Factory\n"), text);
        assertTrue(text.contains("http://localhost:8080/schematics"), "this instance's URL (factory.external-url)");
        assertTrue(text.contains("localhost:8080/metal-installer/<id>:<version>"), "registry references by host");
        assertFalse(text.contains("{{"), "every placeholder replaced");
        // every fixed route it names exists here
        Matcher named = Pattern.compile("`GET (/[a-z0-9./_-]*)`").matcher(text);
        List<String> paths = new ArrayList<>();
        while (named.find()) {
            paths.add(named.group(1));
        }
        assertTrue(paths.containsAll(List.of("/versions", "/healthz", "/llms.txt")), paths.toString());
        for (String path : paths) {
            int status = given().get(path).statusCode();
            assertTrue(status != 404 && status != 405 || path.equals("/secureboot/signing-cert.pem"), path + ": " + status);
        }
    }

    private static JsonNode assertRegistryError(Response response, int status, String code, String what) throws Exception {
        response.then().statusCode(status).header("Content-Type", containsString("application/json"));
        JsonNode error = JSON.readTree(response.asByteArray()).get("errors").get(0);
        assertEquals(code, error.get("code").asText(), what + ": " + error);
        return error;
    }
}
