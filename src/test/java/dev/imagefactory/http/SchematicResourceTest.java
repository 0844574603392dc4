package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SchematicResourceTest {

    private static final String DEFAULT_ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    @Test
    void createsTheWellKnownDefaultSchematic() {
        Response r = given().body("customization: {}\n").post("/schematics");
        r.then().statusCode(201)
                .contentType(containsString("application/json"))
                .body("id", equalTo(DEFAULT_ID))
                .body("schematic", equalTo("customization: {}\n"));
        assertTrue(r.asString().endsWith("}\n"), "the reference ends JSON bodies with a newline");
        assertTrue(r.asString().startsWith("{\"id\":"), "id comes first, as in the reference");
    }

    @Test
    void acceptsJsonAndAnyContentTypeAndIsIdempotent() {
        String json = "{\"customization\":{\"extraKernelArgs\":[\"noapic\",\"nolapic\"]}}";
        String expected = "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c";
        given().contentType("application/json").body(json).post("/schematics").then().statusCode(201).body("id", equalTo(expected));
        given().contentType("application/x-www-form-urlencoded").body(json).post("/schematics").then().statusCode(201).body("id", equalTo(expected));
        given().contentType("text/plain").body(json).post("/schematics").then().statusCode(201).body("id", equalTo(expected));
    }

    @Test
    void createdSchematicIsReadableAsYaml() {
        String id = given().body("customization:\n  extraKernelArgs: [talos.dashboard.disabled=1]\n")
                .post("/schematics").then().statusCode(201).extract().path("id");
        given().get("/schematics/" + id).then().statusCode(200)
                .contentType(containsString("application/yaml"))
                .body(equalTo("customization:\n    extraKernelArgs:\n        - talos.dashboard.disabled=1\n"));
    }

    @Test
    void unknownAndMalformedIdsAreNotFoundAsInTheReference() {
        // reference schematic_test.go "nonexistent get": the error contains "schematic not found"; a malformed ID is
        // looked up and not found there too (its storage treats any non-ID as missing)
        given().get("/schematics/" + "a".repeat(64)).then().statusCode(404)
                .contentType(containsString("text/plain"))
                .body(equalTo("schematic not found: no schematic has the ID \"" + "a".repeat(64) + "\"\n"));
        given().get("/schematics/ABC").then().statusCode(404)
                .body(equalTo("schematic not found: \"ABC\" is not a schematic ID (64 lowercase hex digits)\n"));
        given().get("/schematics/" + "A".repeat(64)).then().statusCode(404).body(containsString("schematic not found"));
    }

    @Test
    void strictParsingNamesTheUnknownField() {
        given().body("customization:\n  systemExtensions:\n    officialExtension: [siderolabs/gvisor]\n").post("/schematics")
                .then().statusCode(400).contentType(containsString("text/plain"))
                .body(containsString("officialExtension"));
        given().body("owner: alice\n").post("/schematics").then().statusCode(400).body(containsString("owner"));
        given().body("customization: {meta: [{key: 300, value: x}]}").post("/schematics").then().statusCode(400);
    }

    @Test
    void aLargeBodyIsParsedOffTheEventLoopWithTheSameOutcome() {
        // over SchematicResource.EVENT_LOOP_PARSE_BYTES: parsed and stored on a worker thread
        String config = "x".repeat(SchematicResource.EVENT_LOOP_PARSE_BYTES + 1);
        String body = "customization:\n  embeddedMachineConfiguration: " + config + "\n";
        String expected = dev.imagefactory.schematic.SchematicCodec.parse(body.getBytes(StandardCharsets.UTF_8)).id().value();
        given().body(body).post("/schematics").then().statusCode(201).body("id", equalTo(expected));
        given().get("/schematics/" + expected).then().statusCode(200)
                .body(equalTo("customization:\n    embeddedMachineConfiguration: " + config + "\n"));
        given().body(body + "unknown: 1\n").post("/schematics").then().statusCode(400)
                .body(containsString("field unknown not found"));
    }

    @Test
    void emptyBodyIs400() {
        given().body("").post("/schematics").then().statusCode(400).body(not(emptyString()));
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        byte[] big = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        given().body(big).post("/schematics").then().statusCode(413);
    }

    @Test
    void exactlyOneMebibyteIsAccepted() {
        StringBuilder sb = new StringBuilder("customization: {}\n#");
        while (sb.length() < 1024 * 1024) {
            sb.append('x');
        }
        given().body(sb.toString().getBytes(StandardCharsets.UTF_8)).post("/schematics").then().statusCode(201).body("id", equalTo(DEFAULT_ID));
    }

    @Test
    void multipartUploadIs415() {
        given().multiPart("file", "x.yaml", "customization: {}".getBytes(StandardCharsets.UTF_8))
                .post("/schematics").then().statusCode(415);
    }

    @Test
    void errorsAreOneLineAndRandomBodiesNeverGive5xx() {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            Response r = given().body(body).post("/schematics");
            assertTrue(r.statusCode() == 201 || r.statusCode() == 400, "status " + r.statusCode());
            if (r.statusCode() == 400) {
                String text = r.asString();
                assertEquals(1, text.split("\n", -1).length - 1, "exactly one line: " + text);
                assertFalse(text.isBlank());
            }
        }
    }
}
