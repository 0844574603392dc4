package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.SchematicCodec;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Issue 21, cases 1 and 2 through the real endpoint: hostile schematics get a 400 naming the limit, in well under a
 * second, and leave nothing stored; schematics stored before the limits keep working; the kernel's command-line
 * limit is answered per architecture when an asset is asked for.
 */
@Tag("slow")
@Tag("timing") // bounds a latency: runs alone (slow-timing-tests)
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class SchematicLimitsHttpTest {

    @Inject
    FactoryConfig config;

    @Test
    void anAliasBombIsA400NamingTheLimitAndStoresNothing() throws IOException {
        // One 500,000-byte scalar and ~137,000 aliases of it: a 1 MiB body that would decode to 68 GB.
        String body = "customization:\n  extraKernelArgs: [&a \"" + "A".repeat(500_000) + "\""
                + ", *a".repeat((1024 * 1024 - 500_100) / 4) + "]\n";
        long stored = storedSchematics();
        // Timed as a running service answers it: the first two requests of a fresh JVM also compile the parser.
        for (int warmUp = 0; warmUp < 2; warmUp++) {
            given().body(body).post("/schematics").then().statusCode(400);
        }
        long started = System.nanoTime();
        given().body(body).post("/schematics").then().statusCode(400)
                .contentType(containsString("text/plain"))
                .body(containsString("larger than 1 MiB"));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs < 1000, "the refusal took " + tookMs + " ms");
        assertEquals(stored, storedSchematics(), "a refused schematic leaves nothing behind");
    }

    @Test
    void deepNestingIsA400NamingTheLimit() {
        int depth = 9_996;
        String json = "{\"overlay\":{\"image\":\"i\",\"name\":\"n\",\"options\":"
                + "{\"a\":".repeat(depth) + "{}" + "}".repeat(depth) + "}}";
        long started = System.nanoTime();
        given().body(json).post("/schematics").then().statusCode(400).body(containsString("nested more than 64 levels"));
        assertTrue(System.nanoTime() - started < 1_000_000_000L);
    }

    @Test
    void aSchematicStoredBeforeTheLimitsStillServes() throws IOException {
        // 200 nested lists: go-yaml (and this factory before the limits) accepted it; POST now refuses it.
        byte[] deep = ("overlay: {image: i, name: n, options: {k: " + "[".repeat(200) + "]".repeat(200) + "}}\n")
                .getBytes(StandardCharsets.UTF_8);
        given().body(deep).post("/schematics").then().statusCode(400);
        CanonicalSchematic old = SchematicCodec.parseStored(deep);
        String id = old.id().value();
        Path file = config.dataDir().resolve("schematics").resolve(id.substring(0, 2)).resolve(id + ".yaml");
        Files.createDirectories(file.getParent());
        Files.write(file, old.canonicalYaml());

        given().get("/schematics/" + id).then().statusCode(200).body(equalTo(old.canonicalText()));
        given().get("/image/" + id + "/" + StandinRelease.V1_11 + "/cmdline-metal-amd64").then().statusCode(200)
                .body(containsString("talos.platform=metal"));
    }

    @Test
    void aCommandLineOverTheKernelsLimitIsA400BeforeAnyBuild() {
        // The reference accepts a 5 KB argument and gives it an ID; no kernel can boot with it.
        String schematic = "customization:\n  extraKernelArgs: [talos.longarg=" + "x".repeat(5000) + "]\n";
        String id = given().body(schematic).post("/schematics").then().statusCode(201).extract().path("id");
        for (String path : new String[] {"cmdline-metal-amd64", "cmdline-metal-arm64", "metal-amd64.iso",
                "metal-arm64-uki.efi"}) {
            long started = System.nanoTime();
            Response r = given().get("/image/" + id + "/" + StandinRelease.V1_11 + "/" + path);
            r.then().statusCode(400).body(containsString("takes at most 2047 (COMMAND_LINE_SIZE 2048)"));
            assertTrue(System.nanoTime() - started < 1_000_000_000L, path + " was refused only after a build");
        }
        given().get("/pxe/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64").then().statusCode(400)
                .body(containsString("COMMAND_LINE_SIZE"));
    }

    private long storedSchematics() throws IOException {
        Path root = config.dataDir().resolve("schematics");
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
