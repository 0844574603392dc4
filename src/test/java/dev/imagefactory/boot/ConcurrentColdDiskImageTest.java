package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 14: 16 identical cold requests for {@code metal-amd64.raw.zst} build one raw image and one .zst, same bytes. */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class ConcurrentColdDiskImageTest {

    private static final int REQUESTS = 16;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI base;

    @Test
    void sixteenColdRequestsBuildOnce() throws Exception {
        String id = BootAssetsTest.createSchematic("customization:\n  extraKernelArgs: [concurrency.disk=16]\n");
        String path = "/image/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64.raw.zst";
        double raws = BootAssetsTest.builtCount("disk-raw");
        double images = BootAssetsTest.builtCount("image");
        double initramfs = BootAssetsTest.builtCount("initramfs");
        ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            calls.add(() -> streamedSha256(path));
        }
        List<String> bodies = new ArrayList<>();
        try {
            for (Future<String> result : pool.invokeAll(calls)) {
                bodies.add(result.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(REQUESTS, bodies.size());
        assertEquals(1, Set.copyOf(bodies).size(), "16 identical bodies");
        assertEquals(1.0, BootAssetsTest.builtCount("disk-raw") - raws, "one raw image build");
        assertEquals(1.0, BootAssetsTest.builtCount("image") - images, "one .zst build");
        assertEquals(1.0, BootAssetsTest.builtCount("initramfs") - initramfs, "one initramfs build");
    }

    private String streamedSha256(String path) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream body = response.body()) {
            assertEquals(200, response.statusCode(), path);
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) != -1; ) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
