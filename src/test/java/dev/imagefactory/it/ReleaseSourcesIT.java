package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.SnakeoilKeys;
import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.DirectoryReleaseSource;
import dev.imagefactory.catalog.InstallerBaseKind;
import dev.imagefactory.catalog.OciReleaseSource;
import dev.imagefactory.catalog.ReleaseCache;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.LocalRegistry;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.OciLayoutWriter;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.oci.RegistryEndpoint;
import dev.imagefactory.oci.TarLayer;
import dev.imagefactory.signing.LayoutSignatures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service over both release sources: the stand-in release read from its directory, and the same
 * release pushed in upstream's image layout into a real registry (Debian's docker-registry) and read over the OCI
 * distribution API. Both must serve byte-identical artifacts (kernel, cmdline, initramfs, plain and SecureBoot
 * UKIs, ISOs); a restart serves from the cache without building; and a build from scratch in a fresh data dir gives the
 * same bytes again.
 */
class ReleaseSourcesIT {

    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [talos.dashboard.disabled=1]
              meta:
                - key: 10
                  value: '{"externalIPs":["1.2.3.4"]}'
              systemExtensions:
                officialExtensions: [standin/intel-ucode, standin/dummy-module, standin/usr-local-tools]
            """;

    static LocalRegistry registry;
    static Path releases;

    @BeforeAll
    static void pushStandinRelease(@TempDir Path work) throws Exception {
        releases = StandinRelease.ensure();
        registry = LocalRegistry.start(work.resolve("registry"));
        RegistryClient client = registry.client();
        for (String version : StandinRelease.VERSIONS) {
            Path release = releases.resolve(version);
            // upstream's imager: its linux/amd64 image holds the boot files of both architectures
            TarLayer boot = new TarLayer();
            for (Arch arch : Arch.values()) {
                for (BootFile file : BootFile.values()) {
                    boot.file(file.pathFor(arch), 0644, Files.readAllBytes(release.resolve(file.pathFor(arch))));
                }
            }
            OciLayoutWriter imager = new OciLayoutWriter(work.resolve("imager-" + version));
            Descriptor amd64 = imager.image(Platform.linux("amd64"), List.of(boot), TarLayer.Compression.GZIP);
            Descriptor index = imager.index(List.of(amd64));
            imager.root(index);
            LayoutSignatures.sign(imager.dir(), index.digest(), "siderolabs/imager", LayoutSignatures.standinKey());
            pushSigned(client, OciLayout.open(imager.dir()), index, "siderolabs/imager", version);

            // multi-platform indexes, pushed whole: the image-digests lines pin the index digests
            try (Stream<Path> images = Files.list(release.resolve("extension-images/standin"))) {
                for (Path image : images.toList()) {
                    OciLayout layout = OciLayout.open(image);
                    pushSigned(client, layout, layout.index().manifests().get(0), "standin/" + image.getFileName(), "v1");
                }
            }
            for (InstallerBaseKind kind : InstallerBaseKind.values()) {
                Path installer = release.resolve(kind.repositoryName());
                if (Files.isDirectory(installer)) {
                    OciLayout layout = OciLayout.open(installer);
                    pushSigned(client, layout, layout.index().manifests().get(0), "siderolabs/" + kind.repositoryName(),
                            version);
                }
            }
            String local = registry.host() + "/standin/";
            TarLayer manifests = new TarLayer()
                    .file("image-digests", 0644, Files.readString(release.resolve("extensions/image-digests"))
                            .replace("localhost/standin/", local))
                    .file("descriptions.yaml", 0644, Files.readString(release.resolve("extensions/descriptions.yaml"))
                            .replace("localhost/standin/", local));
            OciLayoutWriter extensions = new OciLayoutWriter(work.resolve("extensions-" + version));
            Descriptor image = extensions.image(Platform.linux("amd64"), List.of(manifests), TarLayer.Compression.GZIP);
            extensions.root(image);
            LayoutSignatures.sign(extensions.dir(), image.digest(), "siderolabs/extensions", LayoutSignatures.standinKey());
            pushSigned(client, OciLayout.open(extensions.dir()), image, "siderolabs/extensions", version);
        }
    }

    /** Pushes the image with the layout's cosign signatures as their {@code sha256-<hex>.sig} tags (issue 19). */
    static void pushSigned(RegistryClient client, OciLayout layout, Descriptor root, String repository, String tag)
            throws java.io.IOException {
        client.pushImage(layout, root, repository, tag);
        for (Descriptor signature : layout.signatures()) {
            client.pushImage(layout, signature, repository, signature.annotations().get(OciLayout.REF_NAME));
        }
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void bothSourcesServeTheSameBytesAndTheCacheSurvivesARestart(@TempDir Path tmp) throws Exception {
        List<String> secureBoot = SnakeoilKeys.config().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        String[] directory = Stream.concat(Stream.of("factory.releases.dir=" + releases), secureBoot.stream())
                .toArray(String[]::new);
        String[] oci = Stream.concat(Stream.of("factory.releases.source=oci", "factory.releases.oci.registry="
                + registry.host(), "factory.releases.oci.insecure=true"), secureBoot.stream()).toArray(String[]::new);
        Path directoryData = tmp.resolve("directory-data");
        try (ServiceProcess fromDirectory = ServiceProcess.start(directoryData, tmp.resolve("directory.log"), directory);
                ServiceProcess fromRegistry = ServiceProcess.start(tmp.resolve("oci-data"), tmp.resolve("oci.log"), oci)) {
            assertEquals(fromDirectory.get("/versions").body(), fromRegistry.get("/versions").body());
            String id = created(fromDirectory);
            assertEquals(id, created(fromRegistry));
            for (String version : StandinRelease.VERSIONS) {
                for (String asset : List.of("kernel-amd64", "cmdline-metal-amd64", "initramfs-amd64.xz",
                        "metal-amd64-uki.efi", "metal-amd64-secureboot-uki.efi", "metal-amd64.iso",
                        "kernel-arm64", "initramfs-arm64.xz", "metal-arm64-uki.efi")) {
                    String path = "/image/" + id + "/" + version + "/" + asset;
                    assertArrayEquals(ok(fromDirectory, path), ok(fromRegistry, path), path + " differs between sources");
                }
            }
        }
        String initramfs = "/image/" + created(null) + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz";
        String signedUki = "/image/" + created(null) + "/" + StandinRelease.V1_11 + "/metal-amd64-secureboot-uki.efi";
        String iso = "/image/" + created(null) + "/" + StandinRelease.V1_11 + "/metal-amd64.iso";
        byte[] first;
        byte[] firstUki;
        byte[] firstIso;
        try (ServiceProcess restarted = ServiceProcess.start(directoryData, tmp.resolve("restart.log"), directory)) {
            first = ok(restarted, initramfs);
            firstUki = ok(restarted, signedUki);
            firstIso = ok(restarted, iso);
            String metrics = restarted.get("/metrics").body();
            assertEquals(0, sum(metrics, "image_factory_assets_built_total"), "nothing is rebuilt after a restart");
            assertTrue(sum(metrics, "image_factory_assets_delivered_cached_total") >= 1, metrics);
        }
        try (ServiceProcess scratch = ServiceProcess.start(tmp.resolve("fresh-data"), tmp.resolve("fresh.log"), directory)) {
            assertEquals(201, scratch.post("/schematics", SCHEMATIC).statusCode());
            assertArrayEquals(first, ok(scratch, initramfs), "a build from scratch gives identical bytes");
            assertArrayEquals(firstUki, ok(scratch, signedUki), "so does a signed UKI");
            assertArrayEquals(firstIso, ok(scratch, iso), "and a (hybrid) ISO");
            String metrics = scratch.get("/metrics").body();
            assertEquals(1, metrics.lines().filter(l -> l.startsWith("image_factory_assets_built_total{")
                    && l.contains("output_kind=\"initramfs\"")).mapToDouble(l -> Double.parseDouble(l.substring(
                    l.lastIndexOf(' ') + 1))).sum(), metrics);
        }
    }

    @Test
    void installerBaseImagesFromTheRegistryAreTheReleaseDirectorysImages(@TempDir Path data) {
        DirectoryReleaseSource directory = new DirectoryReleaseSource(releases);
        OciReleaseSource oci = new OciReleaseSource(new OciReleaseSource.Settings(
                RegistryEndpoint.anonymous(registry.host(), true), "siderolabs/imager", "siderolabs/extensions",
                "siderolabs/overlays", Duration.ofMinutes(15)), new ReleaseCache(data));
        for (String tag : StandinRelease.VERSIONS) {
            TalosVersion version = TalosVersion.parse(tag);
            InstallerBaseKind kind = tag.equals(StandinRelease.V1_7) ? InstallerBaseKind.INSTALLER
                    : InstallerBaseKind.INSTALLER_BASE;
            for (Arch arch : Arch.values()) {
                BaseImage local = directory.installerBase(version, arch, kind).orElseThrow();
                BaseImage pulled = oci.installerBase(version, arch, kind).orElseThrow();
                assertEquals("siderolabs/" + kind.repositoryName() + ":" + tag, pulled.reference());
                assertEquals(local.reference(), pulled.reference());
                assertEquals(local.configDigest(), pulled.configDigest());
                assertEquals(kind == InstallerBaseKind.INSTALLER ? 2 : 1, pulled.layers().size());
                assertEquals(local.layers().stream().map(l -> l.descriptor().digest() + " " + l.diffId()).toList(),
                        pulled.layers().stream().map(l -> l.descriptor().digest() + " " + l.diffId()).toList(),
                        tag + " " + arch);
            }
        }
    }

    /** The schematic's ID (the same on every instance); with a service, created there. */
    private static String created(ServiceProcess service) throws Exception {
        if (service == null) {
            return dev.imagefactory.schematic.SchematicCodec.parse(SCHEMATIC.getBytes()).id().value();
        }
        HttpResponse<String> response = service.post("/schematics", SCHEMATIC);
        assertEquals(201, response.statusCode(), response.body());
        return response.body().replaceAll("(?s).*\"id\":\"([0-9a-f]{64})\".*", "$1").trim();
    }

    private static byte[] ok(ServiceProcess service, String path) throws Exception {
        HttpResponse<byte[]> response = service.getBytes(path);
        assertEquals(200, response.statusCode(), path + ": " + new String(response.body()));
        return response.body();
    }

    private static double sum(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
