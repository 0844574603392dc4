package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.imagefactory.signing.LayoutSignatures;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * to the release's files. Everything pushed is signed (the stand-in key, as the test profile's
 * {@code factory.releases.verify.keys}); a signature tag deleted from the registry makes its image refused.
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
                    // signed as the stand-in's own images are: with the stand-in key (issue 19)
                    LayoutSignatures.sign(imager.dir(), index.digest(), registry.host() + "/siderolabs/imager",
                            LayoutSignatures.standinKey());
                    push(client, OciLayout.open(imager.dir()), index, "siderolabs/imager", version);
                    for (String layout : List.of("talosctl-all", "installer-base", "installer")) {
                        if (OciLayout.isLayout(release.resolve(layout))) {
                            OciLayout open = OciLayout.open(release.resolve(layout));
                            push(client, open, open.index().manifests().get(0), "siderolabs/" + layout, version);
                        }
                    }
                }
                pushExtensions(client, work, StandinRelease.V1_12);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("factory.releases.oci.registry", registry.host());
        }

        /** Pushes the image and the layout's cosign signatures (its {@code sha256-<hex>.sig} entries) as tags. */
        private static void push(RegistryClient client, OciLayout layout, Descriptor root, String repository,
                String tag) throws IOException {
            client.pushImage(layout, root, repository, tag);
            PUSHED.put(repository + ":" + tag, root.digest().toString());
            for (Descriptor signature : layout.signatures()) {
                String signatureTag = signature.annotations().get(OciLayout.REF_NAME);
                client.pushImage(layout, signature, repository, signatureTag);
                PUSHED.put(repository + ":" + signatureTag, signature.digest().toString());
            }
        }

        /**
         * The version's extensions as upstream publishes them: each extension image (signed by the stand-in build)
         * under {@code standin/<name>}, and a signed {@code siderolabs/extensions:<v>} whose image-digests names them
         * in this registry.
         */
        private static void pushExtensions(RegistryClient client, Path work, String version) throws IOException {
            Path release = StandinRelease.version(version);
            String digests = Files.readString(release.resolve("extensions/image-digests"))
                    .replace("localhost/standin/", registry.host() + "/standin/");
            String descriptions = Files.readString(release.resolve("extensions/descriptions.yaml"))
                    .replace("localhost/standin/", registry.host() + "/standin/");
            try (var layouts = Files.list(release.resolve("extension-images/standin"))) {
                for (Path dir : layouts.sorted().toList()) {
                    OciLayout layout = OciLayout.open(dir);
                    Descriptor root = layout.index().manifests().get(0);
                    push(client, layout, root, "standin/" + dir.getFileName(), root.annotations().get(OciLayout.REF_NAME));
                }
            }
            OciLayoutWriter manifest = new OciLayoutWriter(work.resolve("extensions-" + version));
            Descriptor image = manifest.image(Platform.linux("amd64"), List.of(new TarLayer()
                    .file("image-digests", 0644, digests).file("descriptions.yaml", 0644, descriptions)),
                    TarLayer.Compression.GZIP);
            Descriptor index = manifest.index(List.of(image));
            manifest.root(index);
            LayoutSignatures.sign(manifest.dir(), index.digest(), registry.host() + "/siderolabs/extensions",
                    LayoutSignatures.standinKey());
            push(client, OciLayout.open(manifest.dir()), index, "siderolabs/extensions", version);
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
        List<String> versionTags = new ArrayList<>();
        tags.get("tags").forEach(t -> versionTags.add(t.asText()));
        versionTags.removeIf(t -> t.endsWith(".sig")); // the imagers' cosign signatures
        assertEquals(StandinRelease.VERSIONS.stream().sorted().toList(), versionTags);

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

    /** Issue 19: the signed release in a registry builds with verification on; a deleted signature tag is refused. */
    @Test
    void theSignedRegistryReleaseBuildsAndAnImageWhoseSignatureTagWasDeletedIsRefused() throws Exception {
        String v = StandinRelease.V1_12;
        String tools = BootAssetsTest.createSchematic(
                "customization:\n  systemExtensions:\n    officialExtensions: [standin/usr-local-tools]\n");
        given().get("/image/" + tools + "/" + v + "/initramfs-amd64.xz").then().statusCode(200);

        String intel = PUSHED.get("standin/intel-ucode:20250812-debian.1");
        String signatureTag = "sha256-" + intel.substring("sha256:".length()) + ".sig";
        String signature = PUSHED.get("standin/intel-ucode:" + signatureTag);
        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                + registry.host() + "/v2/standin/intel-ucode/manifests/" + signature)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, deleted.statusCode(), deleted.body());
        String ucode = BootAssetsTest.createSchematic(
                "customization:\n  systemExtensions:\n    officialExtensions: [standin/intel-ucode]\n");
        String body = given().get("/image/" + ucode + "/" + v + "/initramfs-amd64.xz").then().statusCode(502)
                .extract().asString();
        assertTrue(body.contains(registry.host() + "/standin/intel-ucode@" + intel) && body.contains("not signed"), body);
    }

    private String skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }
}
