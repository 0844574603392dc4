package dev.imagefactory.build;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.cache.s3.S3ProxyServer;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.model.OutputKind;
import dev.imagefactory.schematic.SchematicService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageResolver} with a cache that can presign ({@code factory.cache.s3.redirect=true}, S3Proxy): a request
 * that may be redirected resolves to a presigned URL that serves the same bytes under the download name; one that may
 * not, and every checksum, is answered through the service. Over HTTP, {@code /image} maps that to 302 except for the
 * PXE host and HEAD, as before.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(ImageResolverS3Test.RedirectProfile.class)
class ImageResolverS3Test {

    /** S3Proxy for this class: started before Quarkus, its settings handed to it, stopped after. */
    public static class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
        static S3ProxyServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = S3ProxyServer.start(Files.createTempDirectory(Path.of("target").toAbsolutePath(),
                        "image-resolver-s3-test-"));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start S3Proxy", e);
            }
            Map<String, String> config = new HashMap<>();
            for (String property : server.factoryProperties()) {
                int eq = property.indexOf('=');
                config.put(property.substring(0, eq), property.substring(eq + 1));
            }
            return config;
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static class RedirectProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.data-dir", Path.of("target/image-resolver-s3-test-data/" + System.nanoTime())
                            .toAbsolutePath().toString(),
                    "factory.cache.s3.redirect", "true",
                    "factory.external-url", "http://factory.example",
                    "factory.external-pxe-url", "http://pxe.example:8080/");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyResource.class));
        }
    }

    private static final String V = StandinRelease.V1_11;

    @Inject
    ImageResolver resolver;

    @Inject
    SchematicService schematics;

    private String schematic() {
        return schematics.create("customization: {}\n".getBytes(StandardCharsets.UTF_8)).id().value();
    }

    private ResolvedImage resolve(ImageRequest request) throws Exception {
        return resolver.resolve(request).get(2, TimeUnit.MINUTES);
    }

    @Test
    void aRedirectableRequestResolvesToAPresignedUrlOfTheSameBytes() throws Exception {
        String id = schematic();
        ImageRequest kernel = ImageRequest.of(id, V, AssetPath.parse("kernel-x86_64")).withFilename("vmlinuz");
        byte[] direct;
        try (ResolvedImage.Bytes bytes = assertInstanceOf(ResolvedImage.Bytes.class, resolve(kernel));
                InputStream in = bytes.artifact().content().open(0, bytes.artifact().size())) {
            direct = in.readAllBytes();
        }
        assertTrue(resolver.canRedirect());
        ResolvedImage.Redirect redirect = assertInstanceOf(ResolvedImage.Redirect.class,
                resolve(kernel.redirectable(true)));
        String target = redirect.target().toString();
        assertTrue(target.startsWith(S3ProxyResource.server.endpoint() + "/"), target);
        assertTrue(target.contains("X-Amz-Signature="), target);
        assertEquals(OutputKind.KERNEL, redirect.request().profile().kind());

        HttpResponse<byte[]> fetched = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                .send(HttpRequest.newBuilder(redirect.target()).timeout(Duration.ofMinutes(1)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(direct, fetched.body());
        assertEquals("attachment; filename=\"vmlinuz\"",
                fetched.headers().firstValue("Content-Disposition").orElse(""));
        assertEquals("application/octet-stream", fetched.headers().firstValue("Content-Type").orElse(""));

        assertInstanceOf(ResolvedImage.Checksum.class,
                resolve(new ImageRequest(id, V, AssetPath.parse("kernel-amd64.sha256"), java.util.Optional.empty(), true)));
        ResolvedImage.Checksum sha512 = assertInstanceOf(ResolvedImage.Checksum.class,
                resolve(new ImageRequest(id, V, AssetPath.parse("kernel-amd64.sha512"), java.util.Optional.empty(), true)));
        assertEquals(Digests.of(Digest.Algorithm.SHA512, direct).hex() + "  kernel-amd64\n", sha512.line(),
                "hashed from the stored bytes on the first request");
    }

    @Test
    void imageRedirectsGetsExceptOnThePxeHostAndHead() {
        String path = "/image/" + schematic() + "/" + V + "/kernel-amd64";
        given().header("Host", "pxe.example:8080").redirects().follow(false).get(path).then().statusCode(200);
        given().redirects().follow(false).get(path).then().statusCode(302)
                .header("Location", startsWith(S3ProxyResource.server.endpoint() + "/"))
                .header("Cache-Control", "no-store");
        given().redirects().follow(false).head(path).then().statusCode(200);
        given().redirects().follow(false).get(path + ".sha512").then().statusCode(200);
    }
}
