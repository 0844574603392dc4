package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.http.RouteTemplates;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.ext.web.Route;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The generated OpenAPI document against the routes that exist: every JAX-RS resource method of the application and
 * every Vert.x route with a fixed path on the main router must be documented, and every documented operation must
 * exist: be one of those resource methods, or answer something else than 404. Test-only resources are kept out of
 * the document ({@code %test.mp.openapi.scan.exclude.classes}) and out of this comparison.
 */
@QuarkusTest
class OpenApiCoverageTest {
    private static final Set<String> OPERATIONS = Set.of("get", "head", "post", "put", "delete", "patch", "options");
    /**
     * Fixed-path Vert.x routes of the main router that are not operations of their own: Swagger UI (a UI), the format
     * variants of {@code /openapi} SmallRye adds, Quarkus' root handler, and the mount of Quarkus' {@code /q} router
     * (its health routes are documented by quarkus-smallrye-health, {@code /q/metrics} by {@link OpenApiRoutes}; both
     * are checked to exist below).
     */
    private static final Set<String> NOT_OPERATIONS = Set.of("/", "/q", "/openapi.json", "/openapi.yaml", "/openapi.yml");

    @Inject
    RouterCapture routers;

    @Test
    void theDocumentIsValidOpenApi3() {
        String json = given().get("/openapi?format=json").then().statusCode(200).extract().asString();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, options);
        assertNotNull(result.getOpenAPI(), "not parsed: " + result.getMessages());
        assertEquals(List.of(), result.getMessages(), "the parser's complaints");
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3."), result.getOpenAPI().getOpenapi());
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
        Set<String> documented = documentedOperations();
        Set<String> jaxRs = jaxRsRoutes();
        Set<String> vertx = vertxRoutes();
        assertTrue(jaxRs.contains("GET /v2/{name}/manifests/{reference}"), "the class scan found " + jaxRs);
        assertTrue(vertx.contains("GET /q/openapi"), "the router has " + vertx);

        Set<String> undocumented = new TreeSet<>(jaxRs);
        undocumented.addAll(vertx);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "routes missing from /openapi");

        Set<String> inexistent = new TreeSet<>(documented);
        inexistent.removeAll(jaxRs);
        inexistent.removeAll(vertx);
        inexistent.removeIf(operation -> {
            String[] methodAndPath = operation.split(" ", 2);
            return methodAndPath[0].equals("GET") && !methodAndPath[1].contains("{")
                    && given().get(methodAndPath[1]).statusCode() != 404;
        });
        assertEquals(Set.of(), inexistent, "/openapi documents routes that do not exist");
        assertTrue(documented.contains("GET /q/health/ready") && documented.contains("GET /q/metrics"), documented.toString());
    }

    /** Every status a route answered in the hand-maintained document of before is still documented. */
    @Test
    void errorAnswersAreDocumented() throws Exception {
        JsonNode paths = document().get("paths");
        Map<String, String> expected = Map.ofEntries(
                Map.entry("post /schematics", "201 400 413 415 503"),
                Map.entry("get /schematics/{id}", "200 404"), // a malformed ID is not found, as in the reference
                Map.entry("get /image/{schematic}/{version}/{path}", "200 202 206 302 304 400 404 416 503"),
                Map.entry("head /image/{schematic}/{version}/{path}", "200 202 400 404 503"),
                Map.entry("get /builds", "200 400"),
                Map.entry("get /builds/{id}", "200 404"),
                Map.entry("get /builds/{id}/events", "200 400 404"),
                Map.entry("post /builds", "202 400 404 503"),
                Map.entry("get /pxe/{schematic}/{version}/{path}", "200 400 404"),
                Map.entry("get /readyz", "200 503"),
                Map.entry("get /v2/{name}/manifests/{reference}", "200 307 400 404 501 503"),
                Map.entry("head /v2/{name}/manifests/{reference}", "200 307 400 404"),
                Map.entry("get /v2/{name}/blobs/{digest}", "200 206 307 400 404"),
                Map.entry("head /v2/{name}/blobs/{digest}", "200 404"),
                Map.entry("get /v2/{name}/referrers/{digest}", "200 404"),
                Map.entry("get /v2/{name}/tags/list", "200 400 404"),
                Map.entry("get /v2/{path}", "404"),
                Map.entry("get /secureboot/signing-cert.pem", "200 404"),
                Map.entry("get /oci/cosign/signing-key.pub", "200"),
                Map.entry("get /", "200 400"), // the web UI wizard
                Map.entry("head /", "200"),
                Map.entry("post /", "303 400"));
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            String[] methodAndPath = entry.getKey().split(" ", 2);
            JsonNode responses = paths.path(methodAndPath[1]).path(methodAndPath[0]).path("responses");
            for (String status : entry.getValue().split(" ")) {
                assertFalse(responses.path(status).isMissingNode(), entry.getKey() + " documents " + status);
            }
        }
        JsonNode registryError = document().at("/components/responses/RegistryError/content/application~1json/schema");
        assertEquals("#/components/schemas/RegistryErrors", registryError.path("$ref").asText());
        assertFalse(paths.at("/~1image~1{schematic}~1{version}~1{path}/get/responses/503/headers/Retry-After").isMissingNode());
        assertFalse(paths.at("/~1image~1{schematic}~1{version}~1{path}/get/responses/302/headers/Location").isMissingNode());
        assertFalse(paths.at("/~1v2~1{name}~1manifests~1{reference}/get/responses/503/$ref").isMissingNode());
    }

    private static JsonNode document() throws Exception {
        return new ObjectMapper().readTree(given().get("/openapi?format=json").then().statusCode(200).extract().asString());
    }

    private static Set<String> documentedOperations() throws Exception {
        Set<String> operations = new TreeSet<>();
        JsonNode paths = document().get("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (OPERATIONS.contains(method)) {
                    operations.add(method.toUpperCase() + " " + path.getKey());
                }
            });
        }
        return operations;
    }

    /** Path templates of the Vert.x routes with a fixed path (filters and catch-alls have none), as GET routes. */
    private Set<String> vertxRoutes() {
        Set<String> routes = new TreeSet<>();
        for (Route route : routers.router().getRoutes()) {
            String path = route.getPath();
            if (path == null || path.contains("*")) {
                continue;
            }
            String template = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            if (NOT_OPERATIONS.contains(template) || template.startsWith("/swagger-ui")) {
                continue;
            }
            routes.add("GET " + template.replaceAll(":(\\w+)", "{$1}"));
        }
        return routes;
    }

    /** "GET /schematics/{id}"-style entries for every JAX-RS resource method compiled from src/main. */
    private static Set<String> jaxRsRoutes() throws Exception {
        Set<String> routes = new TreeSet<>();
        for (Class<?> anchor : List.of(MetricsResource.class)) {
            java.nio.file.Path classes = Paths.get(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("dev/imagefactory"))) {
                for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files::iterator) {
                    String name = classes.relativize(file).toString();
                    if (!name.endsWith(".class")) {
                        continue;
                    }
                    Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                            OpenApiCoverageTest.class.getClassLoader());
                    if (!type.isAnnotationPresent(Path.class)) {
                        continue;
                    }
                    for (Method method : type.getMethods()) {
                        String httpMethod = httpMethod(method);
                        if (httpMethod != null) {
                            routes.add(httpMethod + " " + RouteTemplates.of(type, method));
                        }
                    }
                }
            }
        }
        return routes;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod httpMethod = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (httpMethod != null) {
                return httpMethod.value();
            }
        }
        return null;
    }
}
