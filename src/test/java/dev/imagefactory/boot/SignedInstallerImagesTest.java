package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.signing.CosignSignature;
import dev.imagefactory.signing.Openssl;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, signed artifacts, checked by a verifier independent of the service (OpenSSL and our own reading of the
 * formats; Debian's skopeo has sigstore support compiled out): every index and platform manifest of an installer image
 * pulled with skopeo has its cosign {@code sha256-<digest>.sig} tag, whose simple-signing payload names that digest
 * and the repository and verifies with the key served at {@code /oci/cosign/signing-key.pub}; another key, a replaced
 * signature tag and a signature taken from another digest fail. Every {@code /image} download has a
 * {@code .sigstore.json} bundle that verifies against the downloaded bytes, and fails on one flipped byte.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class SignedInstallerImagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMATIC = """
            customization:
              extraKernelArgs:
                - signed.test=1
            """;
    /** {@code factory.external-url} of the profile names the registry in the payloads. */
    static final String REGISTRY = "factory.example";

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(5));

    @TempDir
    Path dir;

    @Test
    void everyIndexAndPlatformManifestIsCosignSignedWithTheServedKey() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String v = StandinRelease.V1_7;
        String repository = "metal-installer/" + id;
        String reference = REGISTRY + "/" + repository;
        Path key = servedKey();

        Path copied = dir.resolve("copied");
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + host() + "/" + repository + ":" + v,
                "oci:" + copied + ":installer");
        byte[] index = given().accept(MediaTypes.OCI_INDEX).get("/v2/" + repository + "/manifests/" + v)
                .then().statusCode(200).extract().asByteArray();
        Digest indexDigest = Digests.sha256(index);
        assertEquals(indexDigest.toString(), JSON.readTree(copied.resolve("index.json").toFile())
                .at("/manifests/0/digest").asText(), "skopeo copied the index it inspected");
        byte[] dockerList = given().accept(MediaTypes.DOCKER_MANIFEST_LIST).get("/v2/" + repository + "/manifests/" + v)
                .then().statusCode(200).extract().asByteArray();
        List<Digest> subjects = new ArrayList<>(List.of(indexDigest, Digests.sha256(dockerList)));
        subjects.addAll(children(index));
        subjects.addAll(children(dockerList));
        assertEquals(6, subjects.size(), "two indexes, each over amd64 and arm64");

        for (Digest subject : subjects) {
            CosignSignature signature = signatureTag(repository, subject);
            assertEquals(Optional.empty(), signature.failure(subject, reference, key), "signature of " + subject);
        }

        CosignSignature ofIndex = signatureTag(repository, indexDigest);
        Digest platform = subjects.get(2); // the first platform manifest of the OCI index
        CosignSignature ofPlatform = signatureTag(repository, platform);
        Path otherKey = Openssl.publicKeyOf(Openssl.newP256Key(dir.resolve("other.pem")), dir.resolve("other.pub"));
        assertEquals(Optional.of("signature"), ofIndex.failure(indexDigest, reference, otherKey), "another key");
        assertTrue(ofIndex.failure(platform, reference, key).orElse("").startsWith("digest:"),
                "the index's signature tag put in place of the platform manifest's");
        assertEquals(Optional.of("signature"),
                new CosignSignature(ofPlatform.payload(), ofIndex.signature()).failure(platform, reference, key),
                "the platform manifest's payload with the signature made for another digest");
        assertTrue(ofIndex.failure(indexDigest, REGISTRY + "/installer/" + id, key).orElse("")
                .startsWith("reference:"), "another repository");

        // the factory signs only what it served under that repository
        assertManifestUnknown("/v2/" + repository + "/manifests/sha256-" + Digests.sha256(new byte[] {1}).hex() + ".sig");
        assertManifestUnknown("/v2/installer/" + id + "/manifests/sha256-" + indexDigest.hex() + ".sig");
    }

    @Test
    void everyDownloadHasASigstoreBundleThatVerifiesAgainstItsBytes() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String base = "/image/" + id + "/" + StandinRelease.V1_7 + "/";
        Path key = servedKey();
        byte[] keyDer = Base64.getMimeDecoder().decode(Files.readString(key).replaceAll("-----[A-Z ]+-----", ""));
        String hint = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Digests.sha256(keyDer).hex()));
        for (String path : List.of("kernel-amd64", "initramfs-arm64.xz", "cmdline-metal-amd64",
                "metal-installer-amd64.tar")) {
            byte[] artifact = BootAssetsTest.get(base + path);
            Response response = given().get(base + path + ".sigstore.json");
            response.then().statusCode(200).header("Content-Type", "application/vnd.dev.sigstore.bundle.v0.3+json")
                    .header("Content-Disposition", "attachment; filename=\"" + path + ".sigstore.json\"");
            JsonNode bundle = JSON.readTree(response.asByteArray());
            assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", bundle.path("mediaType").asText());
            assertEquals(hint, bundle.at("/verificationMaterial/publicKey/hint").asText(), path);
            assertEquals("SHA2_256", bundle.at("/messageSignature/messageDigest/algorithm").asText());
            assertArrayEquals(HexFormat.of().parseHex(Digests.sha256(artifact).hex()),
                    Base64.getDecoder().decode(bundle.at("/messageSignature/messageDigest/digest").asText()), path);
            byte[] signature = Base64.getDecoder().decode(bundle.at("/messageSignature/signature").asText());
            Path file = Files.write(dir.resolve(path), artifact);
            assertTrue(Openssl.verifies(key, signature, file), path + " verifies against its bundle");
            artifact[artifact.length / 2] ^= 0x01;
            Path flipped = Files.write(dir.resolve(path + ".flipped"), artifact);
            assertFalse(Openssl.verifies(key, signature, flipped), path + " with one flipped byte");
            given().head(base + path + ".sigstore.json").then().statusCode(200)
                    .header("Content-Length", Integer.toString(response.asByteArray().length));
        }
    }

    /** The served public key, checked to be the one openssl derives from the factory's development key file. */
    private Path servedKey() throws Exception {
        Response served = given().get("/oci/cosign/signing-key.pub");
        served.then().statusCode(200);
        assertTrue(served.contentType().startsWith("application/x-pem-file"), served.contentType());
        Path key = Files.write(dir.resolve("signing-key.pub"), served.asByteArray());
        Path devKey = Path.of(ConfigProvider.getConfig().getValue("factory.data-dir", String.class))
                .resolve("signing/cosign-key.pem");
        assertEquals(Files.readString(Openssl.publicKeyOf(devKey, dir.resolve("derived.pub"))), Files.readString(key));
        return key;
    }

    private CosignSignature signatureTag(String repository, Digest subject) throws Exception {
        return pullSignature(tools, dir, host(), repository, subject);
    }

    /**
     * The {@code sha256-<hex>.sig} image of {@code subject} in {@code repository} at {@code host}, pulled with
     * skopeo (which checks every blob's digest), as a verifier reads it.
     */
    static CosignSignature pullSignature(ProcessRunner tools, Path dir, String host, String repository, Digest subject)
            throws Exception {
        String image = "docker://" + host + "/" + repository + ":sha256-" + subject.hex() + ".sig";
        JsonNode manifest = JSON.readTree(tools.run(ProcessRunner.Command.of("skopeo", "inspect", "--raw",
                "--tls-verify=false", image)).stdout());
        assertEquals(MediaTypes.OCI_MANIFEST, manifest.path("mediaType").asText());
        assertEquals(1, manifest.path("layers").size(), manifest.toString());
        JsonNode layer = manifest.path("layers").get(0);
        assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.path("mediaType").asText());
        Path pulled = dir.resolve("sig-" + subject.hex());
        tools.run(ProcessRunner.Command.of("skopeo", "copy", "--src-tls-verify=false", image, "dir:" + pulled));
        byte[] payload = Files.readAllBytes(pulled.resolve(Digest.parse(layer.path("digest").asText()).hex()));
        byte[] signature = Base64.getDecoder().decode(
                layer.path("annotations").path("dev.cosignproject.cosign/signature").asText());
        return new CosignSignature(payload, signature);
    }

    static List<Digest> children(byte[] index) throws Exception {
        List<Digest> digests = new ArrayList<>();
        JSON.readTree(index).path("manifests").forEach(m -> digests.add(Digest.parse(m.path("digest").asText())));
        return digests;
    }

    private static void assertManifestUnknown(String path) {
        Response response = given().get(path);
        response.then().statusCode(404);
        assertEquals("MANIFEST_UNKNOWN", response.jsonPath().getString("errors[0].code"), response.asString());
    }

    private static String host() {
        return InstallerRegistryTest.host();
    }

    private String skopeo(String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }
}
