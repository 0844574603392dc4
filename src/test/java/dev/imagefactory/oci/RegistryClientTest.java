package dev.imagefactory.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.TarLayer.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** {@link RegistryClient} against a real registry ({@link LocalRegistry}). */
@Tag("slow")
class RegistryClientTest {

    static final Platform AMD64 = Platform.linux("amd64");
    static final Platform ARM64 = Platform.linux("arm64");

    static LocalRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry(@TempDir Path work) throws IOException {
        assertTrue(LocalRegistry.available(), "docker-registry is not installed (apt-get install docker-registry; .ci/run does)");
        registry = LocalRegistry.start(work);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** A two-platform image in an OCI layout: its index descriptor. */
    Descriptor multiArchImage(OciLayoutWriter layout) {
        Descriptor amd = layout.image(AMD64, List.of(new TarLayer().file("etc/arch", 0644, "amd64"),
                new TarLayer().file("usr/bin/tool", 0755, "tool")), Compression.GZIP);
        Descriptor arm = layout.image(ARM64, List.of(new TarLayer().file("etc/arch", 0644, "arm64")), Compression.ZSTD);
        Descriptor index = layout.index(List.of(amd, arm));
        layout.root(index);
        return index;
    }

    @Test
    void pushedImagesReadBackByTagAndDigest() throws IOException {
        OciLayoutWriter layout = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor index = multiArchImage(layout);
        RegistryClient client = registry.client();
        client.ping();
        client.pushImage(OciLayout.open(layout.dir()), index, "test/roundtrip", "v1");

        ManifestDocument byTag = client.manifest("test/roundtrip", "v1").orElseThrow();
        assertTrue(byTag.isIndex());
        assertEquals(index.digest(), byTag.digest());
        assertEquals(MediaTypes.OCI_INDEX, byTag.descriptor().mediaType());
        assertEquals(byTag.descriptor(), client.head("test/roundtrip", "v1").orElseThrow());
        assertArrayEquals(byTag.content(), client.manifest("test/roundtrip", index.digest().toString())
                .orElseThrow().content());

        RegistryClient.Repository repository = client.repository("test/roundtrip");
        ResolvedManifest arm = repository.resolve("v1", ARM64).orElseThrow();
        assertEquals(OciLayout.open(layout.dir()).resolve(ARM64).digest(), arm.digest());
        Path flattened = tmp.resolve("flat");
        LayerFlattener.everything().flatten(repository, repository.resolve("v1", AMD64).orElseThrow()
                .manifest().layers(), flattened);
        assertEquals(Map.of("etc/arch", "amd64", "usr/bin/tool", "tool"), LayerFlattenerTest.files(flattened));

        Descriptor config = arm.manifest().config();
        assertTrue(client.hasBlob("test/roundtrip", config.digest()));
        client.downloadBlob("test/roundtrip", config, tmp.resolve("config.json"));
        assertEquals(ARM64, OciJson.config(Files.readAllBytes(tmp.resolve("config.json")), "config").platform());
    }

    @Test
    void whatWasPushedIsAValidImageForAStockClient() throws Exception {
        OciLayoutWriter layout = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor index = multiArchImage(layout);
        registry.client().pushImage(OciLayout.open(layout.dir()), index, "test/skopeo", "v1");
        LocalRegistry.SkopeoResult inspect = registry.skopeo("inspect", "--tls-verify=false",
                "--override-os", "linux", "--override-arch", "arm64", "docker://" + registry.host() + "/test/skopeo:v1");
        assertEquals(0, inspect.exitCode(), inspect.output());
        assertTrue(inspect.output().contains("\"Architecture\": \"arm64\""), inspect.output());
        assertTrue(inspect.output().contains("\"Digest\": \"" + index.digest() + "\""), inspect.output());
        ResolvedManifest arm = OciLayout.open(layout.dir()).resolve(ARM64);
        assertTrue(inspect.output().contains(arm.manifest().layers().get(0).digest().toString()), inspect.output());
    }

    @Test
    void listsTheTagsOfARepository() throws IOException {
        OciLayoutWriter layout = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor image = layout.image(AMD64, List.of(new TarLayer().file("f", 0644, "x")), Compression.NONE);
        layout.root(image);
        RegistryClient client = registry.client().tagPageSize(2);
        List<String> tags = List.of("a", "b", "c", "d", "v1.11.0");
        for (String tag : tags) {
            client.pushImage(OciLayout.open(layout.dir()), image, "test/paged", tag);
        }
        // distribution 2.8 ignores the page size and lists in storage order; paging: RegistryClientPagingTest
        assertEquals(tags, client.tags("test/paged").stream().sorted().toList());
        assertEquals(List.of(), client.tags("test/never-pushed"));
    }

    @Test
    void absentContentIsEmptyOrANotFoundError() throws IOException {
        RegistryClient client = registry.client();
        assertEquals(Optional.empty(), client.manifest("test/absent", "v1"));
        assertEquals(Optional.empty(), client.head("test/absent", "v1"));
        Descriptor missing = new Descriptor(MediaTypes.OCI_LAYER, Digests.sha256(new byte[] {1}), 1);
        RegistryException e = assertThrows(RegistryException.class, () -> client.blob("test/absent", missing).close());
        assertTrue(e.isNotFound());
        assertTrue(e.getMessage().contains("BLOB_UNKNOWN"), e.getMessage());
    }

    @Test
    void aCorruptedBlobIsRefusedAndNothingIsWritten() throws IOException {
        OciLayoutWriter layout = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor image = layout.image(AMD64, List.of(new TarLayer().file("f", 0644, "original")), Compression.GZIP);
        layout.root(image);
        RegistryClient client = registry.client();
        client.pushImage(OciLayout.open(layout.dir()), image, "test/corrupt", "v1");
        Descriptor layer = client.repository("test/corrupt").resolve("v1", AMD64).orElseThrow().manifest().layers().get(0);
        byte[] bytes = Files.readAllBytes(registry.blobData(layer.digest()));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(registry.blobData(layer.digest()), bytes);

        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        assertThrows(DigestMismatchException.class,
                () -> client.downloadBlob("test/corrupt", layer, downloads.resolve("layer")));
        try (Stream<Path> left = Files.list(downloads)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void basicAuthenticationWithHtpasswd(@TempDir Path work) throws Exception {
        assertTrue(Files.isExecutable(LocalRegistry.HTPASSWD), "htpasswd is not installed (apt-get install apache2-utils; .ci/run does)");
        RegistryCredentials user = new RegistryCredentials("factory", "s3cret-pass");
        try (LocalRegistry secured = LocalRegistry.start(work, Optional.of(user))) {
            RegistryException anonymous = assertThrows(RegistryException.class, () -> secured.client().ping());
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.getMessage().contains("requires a user name and password"), anonymous.getMessage());

            RegistryException wrong = assertThrows(RegistryException.class, () -> secured
                    .client(Optional.of(new RegistryCredentials("factory", "wrong"))).tags("test/x"));
            assertEquals(401, wrong.status());
            assertTrue(wrong.getMessage().contains("UNAUTHORIZED"), wrong.getMessage());

            RegistryClient client = secured.client(Optional.of(user));
            client.ping();
            OciLayoutWriter layout = new OciLayoutWriter(tmp.resolve("layout"));
            Descriptor index = multiArchImage(layout);
            client.pushImage(OciLayout.open(layout.dir()), index, "test/private", "v1");
            assertEquals(List.of("v1"), client.tags("test/private"));
            assertEquals(index.digest(), client.head("test/private", "v1").orElseThrow().digest());
            assertTrue(client.repository("test/private").resolve("v1", AMD64).isPresent());
            LocalRegistry.SkopeoResult inspect = secured.skopeo("inspect", "--tls-verify=false", "--creds",
                    user.username() + ":" + user.password(), "docker://" + secured.host() + "/test/private:v1");
            assertEquals(0, inspect.exitCode(), inspect.output());
        }
    }

    @Test
    void parsesAuthenticationChallenges() {
        AuthChallenge bearer = AuthChallenge.parse("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\","
                + "scope=\"repository:siderolabs/imager:pull,push\"").orElseThrow();
        assertTrue(bearer.isBearer());
        assertEquals(Map.of("realm", "https://ghcr.io/token", "service", "ghcr.io",
                "scope", "repository:siderolabs/imager:pull,push"), bearer.parameters());
        AuthChallenge basic = AuthChallenge.parse("Basic realm=\"x \\\"quoted\\\"\"").orElseThrow();
        assertEquals("x \"quoted\"", basic.parameter("realm").orElseThrow());
        assertTrue(AuthChallenge.choose(List.of("Basic realm=a", "Bearer realm=b")).orElseThrow().isBearer());
        assertFalse(AuthChallenge.choose(List.of()).isPresent());
    }
}
