package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.smallrye.openapi.runtime.DeferredOpenApiDocumentService;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@QuarkusTest
class OpenApiEndpointTest {

    @Test
    void theExtensionGetsTheServiceThatBuildsTheDocumentAtItsFirstRequest() {
        // the extension's recorder and handler look the service up by this type; the start-up saving of
        // bench/startup-to-ready depends on them getting ours (its deferral itself acts in the packaged jar only)
        OpenApiDocumentService service = Arc.container().select(OpenApiDocumentService.class).get();
        DeferredOpenApiDocumentService deferred = assertInstanceOf(DeferredOpenApiDocumentService.class, service);
        given().get("/openapi").then().statusCode(200).body(containsString("/schematics/{id}:"));
        assertFalse(deferred.pending("<default>"), "served, so built");
    }

    @Test
    @SuppressWarnings("unchecked")
    void servesTheDocumentAsYamlAndAsJson() throws Exception {
        String yaml = given().get("/openapi").then()
                .statusCode(200)
                .header("Content-Type", startsWith("application/yaml"))
                .extract().asString();
        Map<String, Object> document = new Yaml().load(yaml);
        assertTrue(String.valueOf(document.get("openapi")).startsWith("3."));
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/schematics", "/schematics/{id}",
            "/versions", "/version/{version}/extensions/official", "/version/{version}/overlays/official"}) {
            assertTrue(paths.containsKey(path), "document lists " + path);
        }
        assertEquals(yaml, given().get("/q/openapi").then().statusCode(200).extract().asString());

        ObjectMapper json = new ObjectMapper();
        JsonNode byQuery = json.readTree(given().get("/openapi?format=json").then().statusCode(200)
                .header("Content-Type", startsWith("application/json")).extract().asString());
        JsonNode byAccept = json.readTree(given().accept("application/json").get("/openapi").then().statusCode(200)
                .header("Content-Type", startsWith("application/json")).extract().asString());
        assertEquals(json.valueToTree(document), byQuery, "the JSON is the YAML document");
        assertEquals(byQuery, byAccept);
        assertEquals(byQuery, json.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString()));
    }

    @Test
    void swaggerUiPointsAtTheDocument() {
        for (String path : new String[] {"/swagger-ui", "/swagger-ui/"}) {
            given().get(path).then() // /swagger-ui redirects to /swagger-ui/
                    .statusCode(200)
                    .header("Content-Type", startsWith("text/html"))
                    .body(containsString("<div id=\"swagger-ui\">"))
                    .body(containsString("url: '/openapi'"));
        }
    }

    @Test
    void swaggerUiAssetsAreServed() {
        given().get("/swagger-ui/swagger-ui-bundle.js").then()
                .statusCode(200)
                .header("Content-Type", startsWith("text/javascript"));
        given().get("/swagger-ui/swagger-ui.css").then()
                .statusCode(200)
                .header("Content-Type", startsWith("text/css"));
    }
}
