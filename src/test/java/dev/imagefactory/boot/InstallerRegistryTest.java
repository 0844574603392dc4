package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.tools.ProcessRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Issue 6 end to end against the stand-in release: installer images pulled through the factory's {@code /v2} with
 * skopeo (which verifies every digest it copies), the docker-save download, one build per architecture and one
 * index assembly (counted by the build scheduler) for concurrent cold pulls, and the registry's error answers.
 */
@Tag("slow")
@Tag("timing") // bounds a latency: runs alone (slow-timing-tests)
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class InstallerRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs:
                - installer.test=1
              systemExtensions:
                officialExtensions:
                  - standin/dummy-module
                  - standin/usr-local-tools
            """;

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(5));

    @TempDir
    Path dir;

    @Test
    void concurrentColdPullsBuildOncePerArchitectureAndSkopeoCopiesBoth() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC.replace("installer.test=1", "installer.test=cold"));
        String v = StandinRelease.V1_7;
        double before = BootAssetsTest.builtCount("installer");
        double indexesBefore = BootAssetsTest.builtCount("installer-index");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI manifest = URI.create("http://" + host() + "/v2/metal-installer/" + id + "/manifests/" + v);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pulls.add(pool.submit(() -> http.send(HttpRequest.newBuilder(manifest)
                    .header("Accept", MediaTypes.OCI_INDEX + ", " + MediaTypes.OCI_MANIFEST)
                    .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofByteArray())));
        }
        Set<String> digests = new HashSet<>();
        for (Future<HttpResponse<byte[]>> pull : pulls) {
            HttpResponse<byte[]> response = pull.get();
            assertEquals(200, response.statusCode(), new String(response.body()));
            assertEquals(MediaTypes.OCI_INDEX, response.headers().firstValue("Content-Type").orElse(""));
            String digest = response.headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertEquals(Digests.sha256(response.body()).toString(), digest);
            digests.add(digest);
        }
        pool.shutdown();
        assertEquals(1, digests.size(), "every pull sees the same index");
        assertEquals(2.0, BootAssetsTest.builtCount("installer") - before, "one installer build per architecture");
        assertEquals(1.0, BootAssetsTest.builtCount("installer-index") - indexesBefore,
                "one index assembly, under the build scheduler, for all the concurrent pulls");

        // a second pull of the built image is a few cache lookups
        long started = System.nanoTime();
        given().accept(MediaTypes.OCI_INDEX).get("/v2/metal-installer/" + id + "/manifests/" + v).then().statusCode(200);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 1000, "second pull took " + millis + " ms");

        JsonNode index = JSON.readTree(skopeo("inspect", "--raw", "--tls-verify=false",
                "docker://" + host() + "/metal-installer/" + id + ":" + v));
        Set<String> arches = new HashSet<>();
        index.get("manifests").forEach(m -> arches.add(m.get("platform").get("architecture").asText()));
        assertEquals(Set.of("amd64", "arm64"), arches, index.toString());

        Path copied = dir.resolve("copied");
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + host() + "/metal-installer/" + id + ":" + v,
                "oci:" + copied + ":installer");
        for (String arch : List.of("amd64", "arm64")) {
            Path layer = artifactsLayer(copied, arch);
            assertArrayEquals(BootAssetsTest.get("/image/" + id + "/" + v + "/kernel-" + arch),
                    entry(layer, "usr/install/" + arch + "/vmlinuz"), arch + " kernel");
            assertArrayEquals(BootAssetsTest.get("/image/" + id + "/" + v + "/initramfs-" + arch + ".xz"),
                    entry(layer, "usr/install/" + arch + "/initramfs.xz"), arch + " initramfs");
            assertTrue(hasEntry(baseLayer(copied, arch), "usr/bin/installer"), "the base layer is kept");
        }
    }

    @Test
    void latestIsTheNewestVersionAndItsUkiInstallerMatchesTheDockerArchiveDownload() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String v = StandinRelease.V1_12;
        Response latest = given().accept(MediaTypes.OCI_INDEX).get("/v2/installer/" + id + "/manifests/latest");
        latest.then().statusCode(200);
        String digest = latest.header("Docker-Content-Digest");
        given().accept(MediaTypes.OCI_INDEX).head("/v2/installer/" + id + "/manifests/" + v).then().statusCode(200)
                .header("Docker-Content-Digest", digest).header("Content-Length", Integer.toString(latest.asByteArray().length));

        Path tarball = dir.resolve("installer-amd64.tar");
        Files.write(tarball, BootAssetsTest.get("/image/" + id + "/" + v + "/installer-amd64.tar"));
        Path fromArchive = dir.resolve("from-archive");
        skopeo("copy", "docker-archive:" + tarball, "oci:" + fromArchive + ":installer");
        Path layer = artifactsLayer(fromArchive, "amd64");
        byte[] uki = entry(layer, "usr/install/amd64/vmlinuz.efi");
        assertArrayEquals(Files.readAllBytes(StandinRelease.version(v).resolve("usr/install/amd64/systemd-boot.efi")),
                entry(layer, "usr/install/amd64/systemd-boot.efi"));
        Path ukiFile = Files.write(dir.resolve("vmlinuz.efi"), uki);
        Path linux = dir.resolve("linux");
        Path cmdline = dir.resolve("cmdline");
        tools.run(ProcessRunner.Command.of("objcopy", "--dump-section", ".linux=" + linux, "--dump-section",
                ".cmdline=" + cmdline, ukiFile.toString(), dir.resolve("scratch.efi").toString()));
        assertArrayEquals(BootAssetsTest.get("/image/" + id + "/" + v + "/kernel-amd64"), Files.readAllBytes(linux));
        assertTrue(Files.readString(cmdline).endsWith("installer.test=1"), Files.readString(cmdline));
        String sections = tools.run(ProcessRunner.Command.of("objdump", "-h", ukiFile.toString())).stdout();
        assertEquals(2, sections.lines().filter(l -> l.contains(" .profile ")).count(), "main + reset-maintenance");

        // the registry serves the same per-arch image the tarball holds: same config digest
        JsonNode index = JSON.readTree(given().accept(MediaTypes.OCI_INDEX).get("/v2/installer/" + id + "/manifests/"
                + digest).then().statusCode(200).extract().asByteArray());
        String amd64 = null;
        for (JsonNode m : index.get("manifests")) {
            if (m.get("platform").get("architecture").asText().equals("amd64")) {
                amd64 = m.get("digest").asText();
            }
        }
        JsonNode image = JSON.readTree(given().accept(MediaTypes.OCI_MANIFEST).get("/v2/installer/" + id + "/manifests/"
                + amd64).then().statusCode(200).header("Content-Type", MediaTypes.OCI_MANIFEST).extract().asByteArray());
        String tarConfig = new String(tarEntry(tarball, "manifest.json")).replaceAll(".*\"Config\":\"([^\"]+)\".*", "$1");
        assertEquals(tarConfig.trim(), image.get("config").get("digest").asText());
    }

    /** SecureBoot before 1.10: systemd-boot and the UKI (named vmlinuz.efi.signed) signed with our key. */
    @Test
    void secureBootInstallerCarriesSignedLoaderAndUki() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC.replace("installer.test=1", "installer.test=sb"));
        String v = StandinRelease.V1_7;
        Path cert = Files.write(dir.resolve("cert.pem"), BootAssetsTest.get("/secureboot/signing-cert.pem"));
        Path copied = dir.resolve("sb");
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + host() + "/installer-secureboot/" + id + ":" + v,
                "oci:" + copied + ":installer");
        Path layer = artifactsLayer(copied, "amd64");
        Path uki = Files.write(dir.resolve("vmlinuz.efi.signed"), entry(layer, "usr/install/amd64/vmlinuz.efi.signed"));
        Path loader = Files.write(dir.resolve("systemd-boot.efi"), entry(layer, "usr/install/amd64/systemd-boot.efi"));
        tools.run(ProcessRunner.Command.of("sbverify", "--cert", cert.toString(), uki.toString()));
        tools.run(ProcessRunner.Command.of("sbverify", "--cert", cert.toString(), loader.toString()));
        Path cmdline = dir.resolve("sb-cmdline");
        tools.run(ProcessRunner.Command.of("objcopy", "--dump-section", ".cmdline=" + cmdline, uki.toString(),
                dir.resolve("sb-scratch.efi").toString()));
        assertTrue(Files.readString(cmdline).contains("lockdown=confidentiality"), Files.readString(cmdline));
        assertTrue(Files.readString(cmdline).endsWith("installer.test=sb"), "SecureBoot keeps the extra args");

        // the same image from /image, as a docker-save tarball
        Path tarball = Files.write(dir.resolve("sb.tar"), BootAssetsTest.get("/image/" + id + "/" + v
                + "/installer-amd64-secureboot.tar"));
        String manifest = new String(tarEntry(tarball, "manifest.json"));
        assertTrue(manifest.contains("\"RepoTags\":[\"siderolabs/installer:" + v + "\"]"), manifest);
    }

    static final String OVERLAY_SCHEMATIC = """
            overlay:
              name: standin-board
              image: standin/sbc-standin
              options:
                configTxtAppend: "dtoverlay=x"
            customization:
              systemExtensions:
                officialExtensions:
                  - standin/usr-local-tools
            """;

    /** talos-imager.md §7.1 step 5: the overlay layer after the artifacts layer, from the target-arch overlay image. */
    @Test
    void overlayInstallerImagesCarryTheOverlayLayer() throws Exception {
        String id = BootAssetsTest.createSchematic(OVERLAY_SCHEMATIC);
        String v = StandinRelease.V1_11;
        // the other outputs of an overlay schematic are built as before (the overlay does not reach them)
        for (String asset : List.of("initramfs-amd64.xz", "kernel-arm64", "metal-amd64-uki.efi", "cmdline-metal-amd64")) {
            given().get("/image/" + id + "/" + v + "/" + asset).then().statusCode(200);
        }

        Path copied = dir.resolve("overlay");
        skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + host() + "/metal-installer/" + id + ":" + v,
                "oci:" + copied + ":installer");
        Path overlayImage = StandinRelease.version(v).resolve("overlay-images/standin/sbc-standin");
        Path installers = dir.resolve("standin-overlay");
        for (String arch : List.of("amd64", "arm64")) {
            List<Path> layers = layers(copied, arch);
            assertEquals(3, layers.size(), arch + ": base, artifacts, overlay");
            assertTrue(hasEntry(layers.get(1), "usr/install/" + arch + "/vmlinuz.efi"), "the artifacts layer comes second");
            Path overlay = layers.get(2);
            Files.createDirectories(installers.resolve(arch));
            skopeo("copy", "oci:" + overlayImage + ":v0.1.0-debian.1", "--override-arch", arch,
                    "dir:" + installers.resolve(arch));
            byte[] standin = standinOverlayFile(installers.resolve(arch), "installers/standin-board");
            assertArrayEquals(standin, entry(overlay, "overlay/installers/default"), arch + " installer");
            // the stand-in board is arm64: both platform images carry the same arm64 artifacts
            assertArrayEquals(standinOverlayFile(installers.resolve(arch), "artifacts/arm64/firmware/boot.bin"),
                    entry(overlay, "overlay/artifacts/arm64/firmware/boot.bin"), arch + " firmware");
            assertArrayEquals(standinOverlayFile(installers.resolve(arch), "artifacts/arm64/u-boot/standin-board/u-boot.bin"),
                    entry(overlay, "overlay/artifacts/arm64/u-boot/standin-board/u-boot.bin"), arch + " U-Boot");
            assertEquals("configTxtAppend: dtoverlay=x\n", new String(entry(overlay, "overlay/extra-options")));

            List<TarArchiveEntry> entries = entries(overlay);
            List<String> names = entries.stream().map(TarArchiveEntry::getName).toList();
            assertEquals(List.of("overlay/", "overlay/artifacts/", "overlay/artifacts/arm64/",
                    "overlay/artifacts/arm64/firmware/", "overlay/artifacts/arm64/firmware/boot.bin",
                    "overlay/artifacts/arm64/u-boot/", "overlay/artifacts/arm64/u-boot/standin-board/",
                    "overlay/artifacts/arm64/u-boot/standin-board/u-boot.bin",
                    "overlay/extra-options", "overlay/installers/", "overlay/installers/default"), names);
            for (TarArchiveEntry e : entries) {
                assertEquals(0, e.getLongUserId(), e.getName());
                assertEquals(0, e.getLongGroupId(), e.getName());
                assertEquals(0, e.getModTime().getTime(), e.getName());
            }
            assertEquals(0755, entries.get(names.indexOf("overlay/installers/default")).getMode() & 07777);
            assertEquals(0644, entries.get(names.indexOf("overlay/artifacts/arm64/firmware/boot.bin")).getMode() & 07777);
        }

        // the /image download is the same build: the same overlay layer
        Path tarball = Files.write(dir.resolve("installer-arm64.tar"),
                BootAssetsTest.get("/image/" + id + "/" + v + "/installer-arm64.tar"));
        Path fromArchive = dir.resolve("overlay-from-archive");
        skopeo("copy", "docker-archive:" + tarball, "oci:" + fromArchive + ":installer");
        List<Path> archived = layers(fromArchive, "arm64");
        assertEquals(3, archived.size());
        assertArrayEquals(gunzip(layers(copied, "arm64").get(2)), gunzip(archived.get(2)), "skopeo may recompress");

        // empty options: go-yaml's "{}"
        String plain = BootAssetsTest.createSchematic("overlay:\n  name: standin-board\n  image: standin/sbc-standin\n");
        Path noOptions = Files.write(dir.resolve("plain-amd64.tar"),
                BootAssetsTest.get("/image/" + plain + "/" + v + "/installer-amd64.tar"));
        Path plainCopy = dir.resolve("plain");
        skopeo("copy", "docker-archive:" + noOptions, "oci:" + plainCopy + ":installer");
        assertEquals("{}\n", new String(entry(layers(plainCopy, "amd64").get(2), "overlay/extra-options")));
    }

    /** A file of the stand-in overlay image as skopeo wrote it to a {@code dir:} (one gzip layer). */
    private static byte[] standinOverlayFile(Path skopeoDir, String name) throws IOException {
        JsonNode manifest = JSON.readTree(skopeoDir.resolve("manifest.json").toFile());
        String layer = Digest.parse(manifest.get("layers").get(0).get("digest").asText()).hex();
        return entry(skopeoDir.resolve(layer), name);
    }

    private static byte[] gunzip(Path gzipLayer) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzipLayer))) {
            return in.readAllBytes();
        }
    }

    private static List<TarArchiveEntry> entries(Path gzipLayer) throws IOException {
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(gzipLayer)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    @Test
    void blobsAreServedWithRangesAndManifestsNegotiated() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String repo = "/v2/metal-installer/" + id;
        JsonNode index = JSON.readTree(given().get(repo + "/manifests/" + StandinRelease.V1_7).then().statusCode(200)
                .extract().asByteArray());
        String manifestDigest = index.get("manifests").get(0).get("digest").asText();
        JsonNode manifest = JSON.readTree(given().get(repo + "/manifests/" + manifestDigest).then().statusCode(200)
                .extract().asByteArray());
        JsonNode layer = manifest.get("layers").get(manifest.get("layers").size() - 1);
        String blob = layer.get("digest").asText();
        byte[] whole = given().get(repo + "/blobs/" + blob).then().statusCode(200)
                .header("Docker-Content-Digest", blob).extract().asByteArray();
        assertEquals(blob, Digests.sha256(whole).toString());
        assertEquals(layer.get("size").asLong(), whole.length);
        byte[] slice = given().header("Range", "bytes=100-199").get(repo + "/blobs/" + blob).then().statusCode(206)
                .extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 100, 200), slice);
        given().head(repo + "/blobs/" + blob).then().statusCode(200)
                .header("Content-Length", Integer.toString(whole.length));

        Response docker = given().accept(MediaTypes.DOCKER_MANIFEST_LIST).get(repo + "/manifests/" + StandinRelease.V1_7);
        docker.then().statusCode(200).header("Content-Type", MediaTypes.DOCKER_MANIFEST_LIST);
        JsonNode list = JSON.readTree(docker.asByteArray());
        String child = list.get("manifests").get(0).get("digest").asText();
        given().get(repo + "/manifests/" + child).then().statusCode(200).header("Content-Type", MediaTypes.DOCKER_MANIFEST);

        given().get(repo + "/referrers/" + manifestDigest).then().statusCode(200)
                .header("Content-Type", MediaTypes.OCI_INDEX);
        JsonNode tags = JSON.readTree(given().get(repo + "/tags/list").then().statusCode(200).extract().asByteArray());
        List<String> names = new ArrayList<>();
        tags.get("tags").forEach(t -> names.add(t.asText()));
        assertTrue(names.containsAll(List.of(StandinRelease.V1_7, StandinRelease.V1_11, StandinRelease.V1_12, "latest")),
                names.toString());
        given().get("/v2/").then().statusCode(200).header("Docker-Distribution-API-Version", "registry/2.0");
    }

    @Test
    void errorsUseRegistryCodes() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String unknown = "0".repeat(64);
        String blob = "sha256:" + "1".repeat(64);
        assertError(given().get("/v2/metal-installer/" + unknown + "/manifests/" + StandinRelease.V1_7), 404, "NAME_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + unknown + "/blobs/" + blob), 404, "NAME_UNKNOWN");
        assertError(given().get("/v2/imager/" + id + "/manifests/" + StandinRelease.V1_7), 400, "NAME_INVALID");
        assertError(given().get("/v2/nosuch-installer/" + id + "/manifests/" + StandinRelease.V1_7), 400, "NAME_INVALID");
        // the reference looks a malformed schematic ID up and does not find it: 404, and before the image name
        assertError(given().get("/v2/metal-installer/not-a-schematic/manifests/v1.7.7"), 404, "NAME_UNKNOWN");
        assertError(given().get("/v2/imager/not-a-schematic/manifests/v1.7.7"), 404, "NAME_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + id + "/manifests/v9.9.9"), 404, "MANIFEST_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + id + "/manifests/nonsense"), 404, "MANIFEST_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + id + "/manifests/sha256:" + "2".repeat(64)), 404,
                "MANIFEST_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + id + "/blobs/" + blob), 404, "BLOB_UNKNOWN");
        assertError(given().get("/v2/metal-installer/" + id + "/blobs/sha256:short"), 400, "DIGEST_INVALID");
        String skopeo = skopeoFailing("inspect", "--tls-verify=false", "docker://" + host() + "/metal-installer/" + unknown
                + ":" + StandinRelease.V1_7);
        assertTrue(skopeo.contains("schematic " + unknown + " is not known"), skopeo);
    }

    private static void assertError(Response response, int status, String code) throws IOException {
        response.then().statusCode(status).header("Content-Type", "application/json");
        JsonNode body = JSON.readTree(response.asByteArray());
        assertEquals(code, body.get("errors").get(0).get("code").asText(), body.toString());
        assertTrue(body.get("errors").get(0).get("message").asText().length() > 5);
    }

    static String host() {
        return "127.0.0.1:" + RestAssured.port;
    }

    private String skopeo(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        return tools.run(ProcessRunner.Command.of(command.toArray(String[]::new))).stdout();
    }

    private static String skopeoFailing(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor() != 0, out);
        return out;
    }

    /** The last layer of the {@code arch} image in an OCI layout written by skopeo. */
    static Path artifactsLayer(Path layout, String arch) throws IOException {
        List<Path> layers = layers(layout, arch);
        return layers.get(layers.size() - 1);
    }

    static Path baseLayer(Path layout, String arch) throws IOException {
        return layers(layout, arch).get(0);
    }

    private static List<Path> layers(Path layout, String arch) throws IOException {
        JsonNode root = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
        JsonNode doc = JSON.readTree(blob(layout, root.get("digest").asText()).toFile());
        JsonNode manifest = doc;
        if (doc.has("manifests")) {
            manifest = null;
            for (JsonNode m : doc.get("manifests")) {
                if (m.get("platform").get("architecture").asText().equals(arch)) {
                    manifest = JSON.readTree(blob(layout, m.get("digest").asText()).toFile());
                }
            }
        }
        List<Path> layers = new ArrayList<>();
        manifest.get("layers").forEach(l -> layers.add(blob(layout, l.get("digest").asText())));
        return layers;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(Digest.parse(digest).hex());
    }

    private static byte[] entry(Path gzipLayer, String name) throws IOException {
        return find(new GZIPInputStream(Files.newInputStream(gzipLayer)), name, gzipLayer);
    }

    private static boolean hasEntry(Path gzipLayer, String name) throws IOException {
        return entries(gzipLayer).stream().anyMatch(e -> e.getName().equals(name) || e.getName().equals("./" + name));
    }

    private static byte[] tarEntry(Path tarball, String name) throws IOException {
        return find(Files.newInputStream(tarball), name, tarball);
    }

    /** The content of {@code name} in the tar read from {@code in} (closed here). */
    private static byte[] find(InputStream in, String name, Path where) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return tar.readAllBytes();
                }
            }
        }
        throw new AssertionError(name + " not in " + where);
    }
}
