package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code /talosctl/<v>} and {@code /talosctl/<v>/<file>} over the catalog fixture's {@code talosctl/} directories
 * (reference {@code handleTalosctlList}/{@code handleTalosctl}, image-factory-reference.md §1.5).
 */
@QuarkusTest
@TestProfile(CatalogFixtureProfile.class)
class TalosctlResourceTest {

    private static final Path V11 = CatalogFixtureProfile.FIXTURE.resolve("releases/v1.11.0/talosctl");

    @Test
    void listsOnlyTalosctlBinariesAsSortedAbsoluteUrls() {
        given().get("/talosctl/v1.11.0").then().statusCode(200).contentType(startsWith("application/json"))
                .body(equalTo("[\"http://localhost:8080/talosctl/v1.11.0/talosctl-linux-amd64\","
                        + "\"http://localhost:8080/talosctl/v1.11.0/talosctl-windows-arm64.exe\"]"));
        // upstream adds the v itself
        given().get("/talosctl/1.11.0").then().statusCode(200)
                .body(equalTo("[\"http://localhost:8080/talosctl/v1.11.0/talosctl-linux-amd64\","
                        + "\"http://localhost:8080/talosctl/v1.11.0/talosctl-windows-arm64.exe\"]"));
    }

    @Test
    void servesAFileByteIdenticalWithItsHeaders() throws Exception {
        for (String name : new String[] {"talosctl-linux-amd64", "talosctl-windows-arm64.exe"}) {
            byte[] expected = Files.readAllBytes(V11.resolve(name));
            byte[] served = given().get("/talosctl/v1.11.0/" + name).then().statusCode(200)
                    .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Length", Integer.toString(expected.length))
                    .extract().asByteArray();
            assertArrayEquals(expected, served, name);
            given().head("/talosctl/v1.11.0/" + name).then().statusCode(200)
                    .header("Content-Length", Integer.toString(expected.length))
                    .header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        }
    }

    @Test
    void beforeTalos111TheListIsEmptyAsUpstream() {
        given().get("/talosctl/v1.7.7").then().statusCode(200).body(equalTo("[]"));
    }

    /** Upstream: 404 {@code version X is not available}; a missing file is its 500, ours a 404. */
    @Test
    void unknownVersionsAndFilesAreNotFound() {
        given().get("/talosctl/v1.9.0").then().statusCode(404).body(equalTo("version 1.9.0 is not available\n"));
        given().get("/talosctl/v1.10.0").then().statusCode(404); // broken in the fixture profile
        given().get("/talosctl/v1.9.0/talosctl-linux-amd64").then().statusCode(404);
        given().get("/talosctl/v1.11.0/talosctl-linux-arm64").then().statusCode(404)
                .body(startsWith("talosctl file \"talosctl-linux-arm64\" is not available"));
        given().get("/talosctl/v1.11.0/talosctl-notes.txt").then().statusCode(404);
        given().head("/talosctl/v1.11.0/talosctl-notes.txt").then().statusCode(404);
        given().get("/talosctl/latest").then().statusCode(400);
    }
}
