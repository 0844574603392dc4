package dev.imagefactory.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.Digests;
import dev.imagefactory.oci.TarLayer.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {

    static final Platform AMD64 = Platform.linux("amd64");
    static final Platform ARM64 = Platform.linux("arm64");

    @TempDir
    Path tmp;

    OciLayoutWriter writer;

    Descriptor image(Platform platform) {
        return writer.image(platform, List.of(new TarLayer().file("arch", 0644, platform.architecture())),
                Compression.GZIP);
    }

    @Test
    void selectsThePlatformOfAMultiArchIndex() throws IOException {
        writer = new OciLayoutWriter(tmp);
        Descriptor arm = image(new Platform("linux", "arm64", "v8"));
        Descriptor amd = image(AMD64);
        Descriptor attestation = image(new Platform("unknown", "unknown", null));
        writer.root(writer.index(List.of(attestation, arm, amd)));
        OciLayout layout = OciLayout.open(tmp);

        assertEquals(amd.digest(), layout.resolve(AMD64).digest());
        assertEquals(arm.digest(), layout.resolve(ARM64).digest());
        assertEquals(MediaTypes.OCI_MANIFEST, layout.resolve(AMD64).descriptor().mediaType());
        OciException e = assertThrows(OciException.class, () -> layout.resolve(Platform.linux("riscv64")));
        assertTrue(e.getMessage().contains("linux/arm64/v8, linux/amd64"), e.getMessage());
    }

    @Test
    void followsNestedIndexesAndTakesALoneManifestWithoutPlatform() throws IOException {
        writer = new OciLayoutWriter(tmp);
        Descriptor amd = image(AMD64);
        Descriptor inner = writer.index(List.of(amd, image(ARM64)));
        writer.root(writer.index(List.of(inner)));
        assertEquals(amd.digest(), OciLayout.open(tmp).resolve(AMD64).digest());

        Descriptor single = image(AMD64);
        writer.root(single);
        ResolvedManifest resolved = OciLayout.open(tmp).resolve(ARM64); // a single-arch image is taken as it is
        assertEquals(single.digest(), resolved.digest());
        assertEquals(1, resolved.manifest().layers().size());
    }

    @Test
    void readsConfigsAndVerifiesDocuments() throws IOException {
        writer = new OciLayoutWriter(tmp);
        Descriptor amd = image(AMD64);
        writer.root(amd);
        OciLayout layout = OciLayout.open(tmp);
        ImageManifest manifest = layout.resolve(AMD64).manifest();
        ImageConfig config = OciJson.config(layout.readDocument(manifest.config()), "config");
        assertEquals(AMD64, config.platform());
        assertEquals(1, config.rootfs().diffIds().size());

        Files.writeString(layout.blobPath(amd.digest()), "{\"schemaVersion\":2}");
        assertThrows(DigestMismatchException.class, () -> OciLayout.open(tmp).resolve(AMD64));
    }

    @Test
    void refusesDirectoriesThatAreNotLayouts() throws IOException {
        OciException e = assertThrows(OciException.class, () -> OciLayout.open(tmp));
        assertTrue(e.getMessage().contains("oci-layout"), e.getMessage());
        Files.writeString(tmp.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        assertThrows(OciException.class, () -> OciLayout.open(tmp));
    }

    @Test
    void parsesDockerManifestListsAndUnlabelledDocuments() throws IOException {
        String list = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":[{"
                + "\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"sha256:" + "a".repeat(64)
                + "\",\"size\":7,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},\"extra\":1}]}";
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, OciJson.mediaTypeOf(list.getBytes(), null, "t"));
        ImageIndex index = OciJson.index(list.getBytes(), "t");
        assertEquals(AMD64, index.manifests().get(0).platform());
        assertEquals(MediaTypes.OCI_INDEX, OciJson.mediaTypeOf("{\"manifests\":[]}".getBytes(), null, "t"));
        assertEquals(MediaTypes.OCI_MANIFEST,
                OciJson.mediaTypeOf("{\"config\":{},\"layers\":[]}".getBytes(), null, "t"));
        assertThrows(OciException.class, () -> OciJson.index("{\"manifests\":[{\"digest\":\"md5:x\"}]}".getBytes(), "t"));
        assertEquals(Map.of("k", "v"), new Descriptor("t", Digests.sha256(new byte[0]), 0, null, Map.of("k", "v"))
                .annotations());
    }
}
