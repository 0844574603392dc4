package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the packaged jar does for a quick start (issue 20), checked on the jar itself: it carries no
 * application.properties (Quarkus recorded its values at build time) yet applies them, and it builds the OpenAPI
 * document at the first request for it rather than during the start.
 */
class PackagedStartupIT {
    private static final String DEFERRED_LOG = "building OpenAPI document <default> at its first request";

    @TempDir
    Path tmp;

    @Test
    void startsWithoutReadingItsPropertiesAndBuildsTheOpenApiDocumentWhenFirstAsked() throws Exception {
        try (JarFile jar = new JarFile(System.getProperty("app.jar", "target/image-factory-runner.jar"))) {
            assertTrue(jar.getEntry("application.properties") == null, "the jar should not carry application.properties");
        }
        try (ServiceProcess service = ServiceProcess.start(tmp.resolve("data"), tmp.resolve("service.log"),
                "quarkus.log.category.\"io.quarkus.smallrye.openapi.runtime\".level=DEBUG")) {
            List<String> atReady = Files.readAllLines(service.log);
            // quarkus.log.console.format of application.properties: "HH:mm:ss.SSS LEVEL [category] (thread) message"
            Pattern format = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[io\\.quarkus\\] \\(main\\) .*started in.*");
            assertTrue(atReady.stream().anyMatch(l -> format.matcher(l).matches()), "log format of application.properties: "
                    + atReady);
            assertFalse(atReady.stream().anyMatch(l -> l.contains(DEFERRED_LOG)), "document built during the start");

            HttpResponse<String> yaml = service.get("/openapi");
            assertEquals(200, yaml.statusCode());
            // mp.openapi.filter of application.properties adds the framework's routes to the document
            assertTrue(yaml.body().contains("/q/metrics:"), "filter applied");
            JsonNode json = new ObjectMapper().readTree(service.get("/openapi?format=json").body());
            assertTrue(json.get("paths").has("/schematics/{id}"), "JSON document");
            long built = Files.readAllLines(service.log).stream().filter(l -> l.contains(DEFERRED_LOG)).count();
            assertEquals(1, built, "built once, at the first request");
        }
    }
}
