package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.LocalRegistry;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.signing.CosignSignature;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code factory.registry.backing.*} pointing at a real registry (Debian's {@code docker-registry} on
 * 127.0.0.1, started here), a built installer index is pushed there under {@code <namespace>/<image>/<schematic>},
 * the tag last (after the cosign signature tags of its index and manifests), and pulls through the factory succeed
 * by following its 307 redirects.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(InstallerBackingRegistryTest.BackedProfile.class)
class InstallerBackingRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "factory-builds";
    static LocalRegistry registry;

    public static class BackedProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new BootAssetsTest.StandinProfile().getConfigOverrides());
            config.put("factory.registry.backing.namespace", NAMESPACE);
            config.put("factory.registry.backing.insecure", "true");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(BackingRegistryResource.class));
        }
    }

    /** Starts the backing registry before the factory, so its address can go into the configuration. */
    public static class BackingRegistryResource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                registry = LocalRegistry.start(Files.createTempDirectory("backing-registry"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("factory.registry.backing.registry", registry.host());
        }

        @Override
        public void stop() {
            if (registry != null) {
                registry.close();
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void theIndexIsPushedToTheBackingRegistryAndPullsFollowTheRedirect() throws Exception {
        String id = BootAssetsTest.createSchematic(InstallerRegistryTest.SCHEMATIC);
        String v = StandinRelease.V1_7;
        String location = given().redirects().follow(false).accept(MediaTypes.OCI_INDEX)
                .get("/v2/metal-installer/" + id + "/manifests/" + v).then().statusCode(307)
                .extract().header("Location");
        assertTrue(location.startsWith("http://" + registry.host() + "/v2/" + NAMESPACE + "/metal-installer/" + id
                + "/manifests/sha256:"), location);

        // the tag exists in the backing registry itself
        JsonNode pushed = JSON.readTree(registry.skopeo("inspect", "--raw", "--tls-verify=false", "docker://"
                + registry.host() + "/" + NAMESPACE + "/metal-installer/" + id + ":" + v).output());
        Set<String> arches = new HashSet<>();
        pushed.get("manifests").forEach(m -> arches.add(m.get("platform").get("architecture").asText()));
        assertEquals(Set.of("amd64", "arm64"), arches);

        // the cosign signatures of the index and of each platform manifest were pushed with it, and a pull of the
        // signature tag through the factory is redirected there; they verify with the factory's key
        Digest index = Digest.parse(location.substring(location.lastIndexOf('/') + 1));
        List<Digest> subjects = new ArrayList<>(List.of(index));
        subjects.addAll(SignedInstallerImagesTest.children(JSON.writeValueAsBytes(pushed)));
        Path key = Files.write(dir.resolve("signing-key.pub"), BootAssetsTest.get("/oci/cosign/signing-key.pub"));
        ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(5));
        for (Digest subject : subjects) {
            CosignSignature signature = SignedInstallerImagesTest.pullSignature(tools, dir,
                    InstallerRegistryTest.host(), "metal-installer/" + id, subject);
            assertEquals(Optional.empty(), signature.failure(subject,
                    SignedInstallerImagesTest.REGISTRY + "/metal-installer/" + id, key), subject.toString());
        }

        // a client pulls through the factory: manifests and blobs are redirected to the backing registry
        Path copied = dir.resolve("copied");
        LocalRegistry.SkopeoResult copy = registry.skopeo("copy", "--all", "--src-tls-verify=false",
                "docker://" + InstallerRegistryTest.host() + "/metal-installer/" + id + ":" + v,
                "oci:" + copied + ":installer");
        assertEquals(0, copy.exitCode(), copy.output());
        assertTrue(Files.isRegularFile(InstallerRegistryTest.artifactsLayer(copied, "arm64")));

        String blob = given().redirects().follow(false).get("/v2/metal-installer/" + id + "/blobs/sha256:" + "a".repeat(64))
                .then().statusCode(307).extract().header("Location");
        assertEquals("http://" + registry.host() + "/v2/" + NAMESPACE + "/metal-installer/" + id + "/blobs/sha256:"
                + "a".repeat(64), blob);

        // a second pull finds the tag in the backing registry and builds nothing
        double built = BootAssetsTest.builtCount("installer");
        given().redirects().follow(false).get("/v2/metal-installer/" + id + "/manifests/" + v).then().statusCode(307);
        assertEquals(built, BootAssetsTest.builtCount("installer"));
    }
}
