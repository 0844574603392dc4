package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.schematic.SchematicService;
import dev.imagefactory.secureboot.SecureBootKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageResolver} over the stand-in release, without HTTP: what each kind of {@link ImageRequest} resolves to,
 * and that the refusals are the ones {@code /image} has always answered with. The local cache cannot presign, so
 * nothing here is redirected ({@code ImageResolverS3Test} covers redirects).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(ImageResolverTest.StandinProfile.class)
class ImageResolverTest {

    public static class StandinProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.data-dir", Path.of("target/image-resolver-test-data/" + System.nanoTime())
                            .toAbsolutePath().toString(),
                    "factory.external-url", "http://factory.example");
        }
    }

    private static final String V = StandinRelease.V1_11;

    @Inject
    ImageResolver resolver;

    @Inject
    SchematicService schematics;

    @Inject
    MeterRegistry meters;

    private String id;

    @BeforeEach
    void schematic() {
        id = schematics.create("customization: {}\n".getBytes(StandardCharsets.UTF_8)).id().value();
    }

    private ResolvedImage resolve(ImageRequest request) throws Exception {
        return resolver.resolve(request).get(2, TimeUnit.MINUTES);
    }

    private ResolvedImage resolve(String path) throws Exception {
        return resolve(ImageRequest.of(id, V, AssetPath.parse(path)));
    }

    @Test
    void theAssetItselfIsItsBytesLeasedUnderItsNameAndMediaType() throws Exception {
        ResolvedImage resolved = resolve("kernel-amd64");
        ResolvedImage.Bytes bytes = assertInstanceOf(ResolvedImage.Bytes.class, resolved);
        try (bytes) {
            assertEquals("kernel-amd64", bytes.asset().filename());
            assertEquals("application/octet-stream", bytes.asset().contentType());
            assertTrue(bytes.asset().lease().isOpen());
            byte[] vmlinuz = Files.readAllBytes(StandinRelease.version(V).resolve("usr/install/amd64/vmlinuz"));
            assertEquals(vmlinuz.length, bytes.artifact().size());
            try (InputStream in = bytes.artifact().content().open(0, bytes.artifact().size())) {
                assertArrayEquals(vmlinuz, in.readAllBytes());
            }
            assertEquals(V, bytes.request().versionTag());
            assertEquals(OutputKind.KERNEL, bytes.request().profile().kind());
        }
        assertFalse(bytes.asset().lease().isOpen(), "closing the resolved image releases its lease");
    }

    @Test
    void aliasesAndDownloadNamesResolveToTheSameArtifact() throws Exception {
        try (ResolvedImage.Bytes amd64 = (ResolvedImage.Bytes) resolve("cmdline-metal-amd64");
                ResolvedImage.Bytes x8664 = (ResolvedImage.Bytes) resolve("cmdline-metal-x86_64");
                ResolvedImage.Bytes named = (ResolvedImage.Bytes) resolve(
                        ImageRequest.of(id, V.substring(1), AssetPath.parse("cmdline-metal-amd64"))
                                .withFilename("boot.txt"))) {
            assertEquals(amd64.artifact().key(), x8664.artifact().key());
            assertEquals(amd64.artifact().key(), named.artifact().key());
            assertEquals("cmdline-metal-x86_64", x8664.asset().filename(), "the name as requested, like upstream");
            assertEquals("boot.txt", named.asset().filename());
            assertEquals(V, named.request().versionTag(), "the version tag gets its v back");
        }
        try (ResolvedImage.Bytes unnamed = (ResolvedImage.Bytes) resolve(
                ImageRequest.of(id, V, AssetPath.parse("cmdline-metal-amd64")).withFilename(""))) {
            assertEquals("cmdline-metal-amd64", unnamed.asset().filename(), "an empty ?filename= is no name");
        }
    }

    @Test
    void checksumSidecarsAreLinesOfTheAssetsDigestsAndTheSha512IsHashedOnce() throws Exception {
        byte[] vmlinuz = Files.readAllBytes(StandinRelease.version(V).resolve("usr/install/arm64/vmlinuz"));
        String sha256 = Digests.of(Digest.Algorithm.SHA256, vmlinuz).hex();
        String sha512 = Digests.of(Digest.Algorithm.SHA512, vmlinuz).hex();
        try (ResolvedImage.Bytes kernel = (ResolvedImage.Bytes) resolve("kernel-arm64")) {
            assertEquals(sha256, kernel.artifact().sha256(), "recorded when it was published");
        }
        double hashedBefore = built(Sha512Sidecars.KIND);
        ResolvedImage.Checksum short256 = assertInstanceOf(ResolvedImage.Checksum.class,
                resolve("kernel-arm64.sha256"));
        assertEquals(sha256 + "  kernel-arm64\n", short256.line());
        assertEquals("kernel-arm64.sha256", short256.attachmentName());
        ResolvedImage.Checksum named512 = assertInstanceOf(ResolvedImage.Checksum.class,
                resolve(ImageRequest.of(id, V, AssetPath.parse("kernel-arm64.sha512")).withFilename("k\r\n")
                        .redirectable(true)));
        assertEquals(sha512 + "  k\n", named512.line(), "control characters never reach the line");
        assertEquals("k.sha512", named512.attachmentName());
        assertEquals(hashedBefore + 1, built(Sha512Sidecars.KIND), "hashed on the first request");

        ResolvedImage.Checksum again = assertInstanceOf(ResolvedImage.Checksum.class, resolve("kernel-arm64.sha512"));
        assertEquals(sha512 + "  kernel-arm64\n", again.line());
        assertEquals(hashedBefore + 1, built(Sha512Sidecars.KIND), "read from the cache the second time");
    }

    private double built(String kind) {
        return meters.find("image_factory_assets_built_total").tag("output_kind", kind).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void withoutPresigningStorageARedirectableRequestGetsTheBytes() throws Exception {
        assertFalse(resolver.canRedirect());
        try (ResolvedImage resolved = resolve(ImageRequest.of(id, V, AssetPath.parse("kernel-amd64"))
                .redirectable(true))) {
            assertInstanceOf(ResolvedImage.Bytes.class, resolved);
        }
    }

    @Test
    void refusalsAreTheOnesImageAnswersWith() {
        assertThrows(NotFoundException.class,
                () -> resolver.resolve(ImageRequest.of("0".repeat(64), V, AssetPath.parse("kernel-amd64"))));
        assertEquals("schematic ID \"nope\" not found", // the reference's answer to an ID that is none
                assertThrows(NotFoundException.class,
                        () -> resolver.resolve(ImageRequest.of("nope", V, AssetPath.parse("kernel-amd64"))))
                        .getMessage());
        assertThrows(NotFoundException.class,
                () -> resolver.resolve(ImageRequest.of(id, "v1.9.0", AssetPath.parse("kernel-amd64"))));
        // a disk image's refusals come before any build too (no SecureBoot keys configured here)
        assertThrows(InvalidInputException.class,
                () -> resolver.resolve(ImageRequest.of(id, V, AssetPath.parse("metal-amd64-secureboot.raw.xz"))));
    }

    @Test
    void assetsAnsweredTogetherAreAllCheckedBeforeAnyIsLookedUp() throws Exception {
        double before = lookups();
        List<ImageRequest> refused = List.of(
                ImageRequest.of(id, StandinRelease.V1_12, AssetPath.parse("kernel-amd64")),
                ImageRequest.of(id, StandinRelease.V1_12, AssetPath.parse("cmdline-metal-arm64-secureboot")));
        assertEquals(SecureBootKeys.DISABLED_MESSAGE,
                assertThrows(InvalidInputException.class, () -> resolver.assetsTogether(refused)).getMessage());
        assertEquals(before, lookups(), "the refusal of the second came before the first was looked up or built");

        List<CompletableFuture<Asset>> both = resolver.assetsTogether(List.of(
                ImageRequest.of(id, StandinRelease.V1_12, AssetPath.parse("kernel-x86_64")),
                ImageRequest.of(id, StandinRelease.V1_12, AssetPath.parse("kernel-arm64"))));
        try (Asset amd64 = both.get(0).get(2, TimeUnit.MINUTES); Asset arm64 = both.get(1).get(2, TimeUnit.MINUTES)) {
            assertEquals(Files.size(StandinRelease.version(StandinRelease.V1_12).resolve("usr/install/amd64/vmlinuz")),
                    amd64.artifact().size());
            assertEquals(Files.size(StandinRelease.version(StandinRelease.V1_12).resolve("usr/install/arm64/vmlinuz")),
                    arm64.artifact().size());
            assertTrue(amd64.lease().isOpen() && arm64.lease().isOpen());
        }
        assertTrue(lookups() >= before + 2, "the lookups are counted, so the unchanged count above means none");
    }

    /** Cache lookups so far (hits and misses, every output kind). */
    private double lookups() {
        return meters.find("image_factory_asset_cache_hits_total").counters().stream().mapToDouble(c -> c.count()).sum()
                + meters.find("image_factory_asset_cache_misses_total").counters().stream().mapToDouble(c -> c.count())
                        .sum();
    }

    /** The adapters over the resolver answer as {@code /image} always has. */
    @Test
    void imageAnswersChecksumsNamesAndRefusalsAsBefore() throws Exception {
        String base = "/image/" + id + "/" + V + "/";
        String sha256;
        try (ResolvedImage.Bytes kernel = (ResolvedImage.Bytes) resolve("kernel-amd64")) {
            sha256 = kernel.artifact().sha256();
        }
        given().get(base + "kernel-x86_64.sha256?filename=vmlinuz").then().statusCode(200)
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"vmlinuz.sha256\"")
                .header("Cache-Control", "public, max-age=31536000, immutable")
                .body(equalTo(sha256 + "  vmlinuz\n"));
        given().head(base + "kernel-amd64.sha256").then().statusCode(200)
                .header("Content-Length", String.valueOf((sha256 + "  kernel-amd64\n").length()));
        given().get(base + "kernel-x86_64?filename=vmlinuz").then().statusCode(200)
                .header("Content-Disposition", "attachment; filename=\"vmlinuz\"")
                .header("ETag", "\"" + sha256 + "\"")
                .header("Content-Type", "application/octet-stream");
        given().header("Range", "bytes=0-9").get(base + "kernel-amd64").then().statusCode(206)
                .header("Content-Length", "10");
        given().header("If-None-Match", "\"" + sha256 + "\"").get(base + "kernel-amd64").then().statusCode(304);
        given().get(base + "kernel-amd64.sigstore.json?filename=vmlinuz").then().statusCode(200)
                .header("Content-Type", "application/vnd.dev.sigstore.bundle.v0.3+json")
                .header("Content-Disposition", "attachment; filename=\"vmlinuz.sigstore.json\"");
        given().get(base + "foo").then().statusCode(400).body(equalTo("error parsing profile from path: invalid profile path: \"foo\"\n"));
        given().get(base + "metal-amd64.zst").then().statusCode(400)
                .body(equalTo("error parsing profile from path: invalid profile path: \"metal-amd64\"\n"));
    }

    @Test
    void pxeScriptsReadTheResolvedCmdline() throws Exception {
        String cmdline;
        try (ResolvedImage.Bytes resolved = (ResolvedImage.Bytes) resolve("cmdline-metal-amd64");
                InputStream in = resolved.artifact().content().open(0, resolved.artifact().size())) {
            cmdline = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String prefix = "http://factory.example/image/" + id + "/" + V + "/";
        given().get("/pxe/" + id + "/" + V.substring(1) + "/metal-x86_64").then().statusCode(200)
                .header("Content-Type", "text/plain; charset=utf-8")
                .body(equalTo("#!ipxe\n\nimgfree\nkernel " + prefix + "kernel-amd64 " + cmdline + "\ninitrd " + prefix
                        + "initramfs-amd64.xz\nboot\n"));
        given().get("/pxe/" + id + "/" + V + "/metal-amd64.iso").then().statusCode(400);
    }
}
