package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.model.Arch;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.LocalRegistry;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.OciLayoutWriter;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.oci.TarLayer;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 over a registry release source: the stand-in release pushed in upstream's image layout into a real
 * registry (Debian's docker-registry), the factory reading it with {@code factory.releases.source=oci}. skopeo
 * inspects {@code siderolabs/imager:<v>} through the factory's source image proxy and sees the digest the registry
 * has; {@code /talosctl/<v>} lists and serves the binaries of the pushed {@code talosctl-all} image, byte-identical
 * to the release's files.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(OciSourceProxyTest.RegistryReleaseProfile.class)
class OciSourceProxyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static LocalRegistry registry;
    /** {@code <repository>:<tag>} → the index digest pushed for it. */
    static final Map<String, String> PUSHED = new ConcurrentHashMap<>();

    public static class RegistryReleaseProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new BootAssetsTest.StandinProfile().getConfigOverrides());
            config.put("factory.releases.source", "oci");
            config.put("factory.releases.oci.insecure", "true");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ReleaseRegistry.class));
        }
    }

    /** Starts the registry and pushes the stand-in release into it before the factory starts. */
    public static class ReleaseRegistry implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                Path work = Files.createTempDirectory("release-registry");
                registry = LocalRegistry.start(work.resolve("registry"));
                RegistryClient client = registry.client();
                for (String version : StandinRelease.VERSIONS) {
                    Path release = StandinRelease.version(version);
                    // upstream's imager: its linux/amd64 image holds the boot files of both architectures
                    TarLayer boot = new TarLayer();
                    for (Arch arch : Arch.values()) {
                        for (BootFile file : BootFile.values()) {
                            boot.file(file.pathFor(arch), 0644, Files.readAllBytes(release.resolve(file.pathFor(arch))));
                        }
                    }
                    OciLayoutWriter imager = new OciLayoutWriter(work.resolve("imager-" + version));
                    Descriptor image = imager.image(Platform.linux("amd64"), List.of(boot), TarLayer.Compression.GZIP);
                    Descriptor index = imager.index(List.of(image));
                    imager.root(index);
                    push(client, OciLayout.open(imager.dir()), index, "siderolabs/imager", version);
                    for (String layout : List.of("talosctl-all", "installer-base", "installer")) {
                        if (OciLayout.isLayout(release.resolve(layout))) {
                            OciLayout open = OciLayout.open(release.resolve(layout));
                            push(client, open, open.index().manifests().get(0), "siderolabs/" + layout, version);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("factory.releases.oci.registry", registry.host());
        }

        private static void push(RegistryClient client, OciLayout layout, Descriptor root, String repository,
                String tag) throws IOException {
            client.pushImage(layout, root, repository, tag);
            PUSHED.put(repository + ":" + tag, root.digest().toString());
        }

        @Override
        public void stop() {
            if (registry != null) {
                registry.close();
            }
        }
    }

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path dir;

    @Test
    void skopeoInspectsTheImagerThroughTheFactoryWithTheRegistrysDigest() throws Exception {
        for (String v : StandinRelease.VERSIONS) {
            JsonNode inspected = JSON.readTree(skopeo("inspect", "--tls-verify=false",
                    "docker://" + InstallerRegistryTest.host() + "/siderolabs/imager:" + v));
            assertEquals(PUSHED.get("siderolabs/imager:" + v), inspected.get("Digest").asText(), v);
        }
        JsonNode tags = JSON.readTree(given().get("/v2/siderolabs/imager/tags/list").asByteArray());
        assertEquals(JSON.valueToTree(StandinRelease.VERSIONS.stream().sorted().toList()), tags.get("tags"));

        // a whole image, blobs streamed from the registry through the factory, every digest checked by skopeo
        String v = StandinRelease.V1_11;
        Path copied = dir.resolve("installer-base");
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + InstallerRegistryTest.host()
                + "/siderolabs/installer-base:" + v, "oci:" + copied + ":copy");
        assertEquals(PUSHED.get("siderolabs/installer-base:" + v), JSON.readTree(Files.readAllBytes(
                copied.resolve("index.json"))).get("manifests").get(0).get("digest").asText());
        given().put("/v2/siderolabs/imager/manifests/" + v).then().statusCode(405);
    }

    @Test
    void talosctlComesFromTheRegistrysTalosctlAllImage() throws Exception {
        for (String v : List.of(StandinRelease.V1_11, StandinRelease.V1_12)) {
            String[] urls = JSON.readValue(given().get("/talosctl/" + v).then().statusCode(200).extract().asByteArray(),
                    String[].class);
            List<String> names = new ArrayList<>();
            try (var files = Files.list(StandinRelease.version(v).resolve("talosctl"))) {
                files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
            }
            assertEquals(6, names.size(), names.toString());
            assertEquals(names.stream().map(n -> "http://factory.example/talosctl/" + v + "/" + n).toList(), List.of(urls));
            for (String name : names) {
                assertArrayEquals(Files.readAllBytes(StandinRelease.version(v).resolve("talosctl/" + name)),
                        given().get("/talosctl/" + v + "/" + name).then().statusCode(200).extract().asByteArray(),
                        v + " " + name);
            }
        }
    }

    private String skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }
}
