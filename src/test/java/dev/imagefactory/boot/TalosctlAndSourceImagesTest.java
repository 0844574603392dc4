package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: talosctl downloads ({@code /talosctl/<v>}, {@code /talosctl/<v>/<file>}) from the stand-in release's toy
 * talosctl, and the read-only source image proxy {@code /v2/siderolabs/<component>} serving the directory release's
 * OCI layouts, pulled with skopeo.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class TalosctlAndSourceImagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BINARIES = List.of("talosctl-darwin-amd64", "talosctl-darwin-arm64",
            "talosctl-linux-amd64", "talosctl-linux-arm64", "talosctl-windows-amd64.exe", "talosctl-windows-arm64.exe");

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path dir;

    @Test
    void listsTheReleasesBinariesAsAbsoluteUrlsSortedAndServesEachByteIdentical() throws Exception {
        for (String v : List.of(StandinRelease.V1_11, StandinRelease.V1_12)) {
            Response list = given().get("/talosctl/" + v);
            list.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("application/json"));
            List<String> expected = BINARIES.stream().map(b -> "http://factory.example/talosctl/" + v + "/" + b).toList();
            assertEquals(expected, List.of(JSON.readValue(list.asByteArray(), String[].class)), v);
            // without the leading v, as upstream accepts it
            assertEquals(list.asString(), given().get("/talosctl/" + v.substring(1)).then().statusCode(200).extract().asString());
            for (String binary : BINARIES) {
                byte[] inRelease = Files.readAllBytes(StandinRelease.version(v).resolve("talosctl/" + binary));
                Response file = given().get("/talosctl/" + v + "/" + binary);
                file.then().statusCode(200).header("Content-Disposition", "attachment; filename=\"" + binary + "\"")
                        .header("Content-Type", "application/octet-stream");
                assertArrayEquals(inRelease, file.asByteArray(), v + " " + binary);
                given().head("/talosctl/" + v + "/" + binary).then().statusCode(200)
                        .header("Content-Length", Integer.toString(inRelease.length));
            }
        }
        assertNotEquals(given().get("/talosctl/" + StandinRelease.V1_11 + "/talosctl-linux-amd64").asString(),
                given().get("/talosctl/" + StandinRelease.V1_12 + "/talosctl-linux-amd64").asString(),
                "each version serves its own binaries");
    }

    @Test
    void beforeTalos111TheListIsEmptyAsUpstream() {
        given().get("/talosctl/" + StandinRelease.V1_7).then().statusCode(200).body(org.hamcrest.Matchers.equalTo("[]"));
    }

    @Test
    void unknownVersionsAndFilesAreNotFoundAndNothingElseOfTheReleaseIsServed() {
        given().get("/talosctl/v9.9.9").then().statusCode(404)
                .body(org.hamcrest.Matchers.equalTo("version 9.9.9 is not available\n"));
        given().get("/talosctl/v9.9.9/talosctl-linux-amd64").then().statusCode(404);
        given().get("/talosctl/" + StandinRelease.V1_11 + "/talosctl-plan9-amd64").then().statusCode(404);
        // the release's other files are not reachable through the talosctl route
        given().get("/talosctl/" + StandinRelease.V1_11 + "/..%2FREADME").then().statusCode(404);
        given().get("/talosctl/" + StandinRelease.V1_11 + "/README").then().statusCode(404);
        given().get("/talosctl/not-a-version").then().statusCode(400);
    }

    @Test
    void skopeoPullsTheReleasesImagesThroughTheProxyWithTheirDigests() throws Exception {
        for (String v : StandinRelease.VERSIONS) {
            Path layout = StandinRelease.version(v).resolve("talosctl-all");
            String digest = JSON.readTree(Files.readAllBytes(layout.resolve("index.json"))).get("manifests").get(0)
                    .get("digest").asText();
            JsonNode inspected = JSON.readTree(skopeo("inspect", "--tls-verify=false",
                    "docker://" + InstallerRegistryTest.host() + "/siderolabs/talosctl-all:" + v));
            assertEquals(digest, inspected.get("Digest").asText(), v);

            Path copied = dir.resolve("talosctl-all-" + v);
            skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + InstallerRegistryTest.host()
                    + "/siderolabs/talosctl-all:" + v, "oci:" + copied + ":copy");
            // the release's blobs but those of the image's cosign signature, which the proxy serves as its own tag
            String signatureTag = "sha256-" + digest.substring("sha256:".length()) + ".sig";
            Path signature = dir.resolve("talosctl-all-" + v + "-signature");
            skopeo("copy", "--src-tls-verify=false", "docker://" + InstallerRegistryTest.host()
                    + "/siderolabs/talosctl-all:" + signatureTag, "oci:" + signature + ":sig");
            java.util.Set<String> imageAndSignature = new java.util.TreeSet<>(blobs(copied));
            imageAndSignature.addAll(blobs(signature));
            assertEquals(blobs(layout), List.copyOf(imageAndSignature), "skopeo copied exactly the release's blobs");
            assertTrue(Collections.disjoint(blobs(copied), blobs(signature)));
        }
        String base = StandinRelease.V1_7;
        Path installer = StandinRelease.version(base).resolve("installer");
        String digest = JSON.readTree(Files.readAllBytes(installer.resolve("index.json"))).get("manifests").get(0)
                .get("digest").asText();
        assertEquals(digest, JSON.readTree(skopeo("inspect", "--tls-verify=false", "docker://"
                + InstallerRegistryTest.host() + "/siderolabs/installer:" + base)).get("Digest").asText());
        JsonNode tags = JSON.readTree(given().get("/v2/siderolabs/installer-base/tags/list").asByteArray());
        assertEquals("[\"" + StandinRelease.V1_11 + "\",\"" + StandinRelease.V1_12 + "\"]", tags.get("tags").toString());
    }

    @Test
    void theProxyIsReadOnlyAndAnswersUnknownsInRegistryTerms() throws Exception {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            Response refused = given().request(method, "/v2/siderolabs/imager/blobs/uploads/");
            refused.then().statusCode(405).header("Allow", "GET, HEAD");
            assertEquals("UNSUPPORTED", JSON.readTree(refused.asByteArray()).get("errors").get(0).get("code").asText());
        }
        Response unknownTag = given().get("/v2/siderolabs/talosctl-all/manifests/v0.0.1");
        unknownTag.then().statusCode(404);
        assertEquals("MANIFEST_UNKNOWN", JSON.readTree(unknownTag.asByteArray()).get("errors").get(0).get("code").asText());
        Response unknownBlob = given().get("/v2/siderolabs/talosctl-all/blobs/" + Digests.sha256(new byte[] {1}));
        unknownBlob.then().statusCode(404);
        assertEquals("BLOB_UNKNOWN", JSON.readTree(unknownBlob.asByteArray()).get("errors").get(0).get("code").asText());
        given().get("/v2/siderolabs/talosctl-all/blobs/sha256:nothex").then().statusCode(400);
        // the stand-in ships no imager layout: the directory release keeps no siderolabs/imager tags
        given().get("/v2/siderolabs/imager/manifests/" + StandinRelease.V1_11).then().statusCode(404);
    }

    private static List<String> blobs(Path layout) throws Exception {
        try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
            List<String> names = new ArrayList<>(files.map(p -> p.getFileName().toString()).toList());
            names.sort(String::compareTo);
            return names;
        }
    }

    private String skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }
}
