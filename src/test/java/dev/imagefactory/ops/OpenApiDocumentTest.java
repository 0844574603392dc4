package dev.imagefactory.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.http.RouteTemplates;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps {@code openapi/openapi.yaml} in step with the code: every JAX-RS resource method compiled from
 * src/main (any {@code @Path} class below {@code dev.imagefactory}) must appear with its path and method.
 */
class OpenApiDocumentTest {

    @Test
    void everyJaxRsRouteIsDocumented() throws Exception {
        Map<String, Map<String, Object>> documented = documentedPaths();
        List<String> routes = jaxRsRoutes();
        assertFalse(routes.isEmpty(), "found no JAX-RS routes; is the class scan broken?");
        List<String> missing = new ArrayList<>();
        for (String route : routes) {
            String[] methodAndPath = route.split(" ", 2);
            Map<String, Object> operations = documented.get(methodAndPath[1]);
            if (operations == null || !operations.containsKey(methodAndPath[0].toLowerCase())) {
                missing.add(route);
            }
        }
        assertTrue(missing.isEmpty(), "routes missing from openapi/openapi.yaml: " + missing);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> documentedPaths() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(OpenApiDocument.RESOURCE)) {
            Map<String, Object> document = new Yaml().load(in);
            return (Map<String, Map<String, Object>>) document.get("paths");
        }
    }

    /** "GET /schematics/{id}"-style entries for every resource method in the main classes directory. */
    private static List<String> jaxRsRoutes() throws Exception {
        java.nio.file.Path classes = mainClassesDir();
        TreeSet<String> routes = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("dev/imagefactory"))) {
            for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files::iterator) {
                String name = classes.relativize(file).toString();
                if (!name.endsWith(".class")) {
                    continue;
                }
                Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.').replace('\\', '.'),
                        false, OpenApiDocumentTest.class.getClassLoader());
                if (type.isAnnotationPresent(Path.class)) {
                    for (Method method : type.getMethods()) {
                        String httpMethod = httpMethod(method);
                        if (httpMethod != null) {
                            routes.add(httpMethod + " " + RouteTemplates.of(type, method));
                        }
                    }
                }
            }
        }
        return new ArrayList<>(routes);
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

    private static java.nio.file.Path mainClassesDir() throws URISyntaxException {
        return Paths.get(OpenApiDocument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
