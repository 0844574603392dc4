package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.cache.s3.S3Bucket;
import dev.imagefactory.cache.s3.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service on {@code factory.cache.backend=s3} with a real S3-compatible server (S3Proxy, its own process
 * on 127.0.0.1, see {@link S3ProxyServer}): the acceptance list. Small artifacts of the stand-in release
 * (kernel, initramfs) keep it quick.
 */
class S3BackendIT {

    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [talos.dashboard.disabled=1]
              systemExtensions:
                officialExtensions: [standin/intel-ucode, standin/dummy-module, standin/usr-local-tools]
            """;
    static final String V = StandinRelease.V1_11;
    static Path releases;

    @BeforeAll
    static void release() {
        releases = StandinRelease.ensure();
    }

    private static ServiceProcess service(S3ProxyServer s3, Path data, Path log, String... more) throws Exception {
        List<String> props = new ArrayList<>(s3.factoryProperties());
        props.add("factory.releases.dir=" + releases);
        props.addAll(List.of(more));
        return ServiceProcess.start(data, log, props.toArray(String[]::new));
    }

    @Test
    void artifactsAndSchematicsLiveInTheBucketAndSurviveAnEmptyDisk(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"))) {
            String id;
            byte[] kernel;
            byte[] initramfs;
            try (ServiceProcess first = service(s3, tmp.resolve("a"), tmp.resolve("a.log"))) {
                id = created(first);
                kernel = ok(first, "/image/" + id + "/" + V + "/kernel-amd64");
                initramfs = ok(first, "/image/" + id + "/" + V + "/initramfs-amd64.xz");
                assertEquals(2, built(first, null), "kernel and initramfs built once each");
            }
            S3Bucket bucket = new S3Bucket(s3.settings(Duration.ofSeconds(60)));
            long withChecksums = Files.list(s3.objectFile("assets")).filter(f -> {
                var stat = bucket.stat("assets/" + f.getFileName()).orElseThrow();
                return stat.userMetadata().get("sha256").equals(sha256(f)) && stat.userMetadata().get("size")
                        .equals(Long.toString(stat.size()));
            }).count();
            assertEquals(2, withChecksums, "both objects carry their SHA-256 and size");

            try (ServiceProcess fresh = service(s3, tmp.resolve("empty"), tmp.resolve("empty.log"))) {
                assertEquals(200, fresh.get("/schematics/" + id).statusCode(), "the schematic is in the bucket");
                assertArrayEquals(kernel, ok(fresh, "/image/" + id + "/" + V + "/kernel-amd64"));
                assertArrayEquals(initramfs, ok(fresh, "/image/" + id + "/" + V + "/initramfs-amd64.xz"));
                assertEquals(0, built(fresh, null), "served from S3 with an empty local disk, nothing rebuilt");
            }
        }
    }

    /** The registry frontend's blobs and tag records live in the bucket too: a second replica pulls without building. */
    @Test
    void installerImagesBuiltOnOneReplicaArePulledFromAnother(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"))) {
            String id;
            byte[] index;
            String manifest = "/v2/metal-installer/%s/manifests/" + StandinRelease.V1_7;
            try (ServiceProcess first = service(s3, tmp.resolve("a"), tmp.resolve("a.log"))) {
                id = created(first);
                index = ok(first, manifest.formatted(id));
                assertEquals(2, built(first, "installer"), "one installer per architecture");
            }
            String text = new String(index, StandardCharsets.UTF_8);
            assertTrue(text.contains("\"architecture\":\"arm64\""), text);
            String child = text.replaceAll("(?s).*?\"digest\":\"(sha256:[0-9a-f]{64})\".*", "$1");
            try (ServiceProcess fresh = service(s3, tmp.resolve("empty"), tmp.resolve("empty.log"))) {
                assertArrayEquals(index, ok(fresh, manifest.formatted(id)), "the same index from the bucket");
                String image = new String(ok(fresh, "/v2/metal-installer/" + id + "/manifests/" + child),
                        StandardCharsets.UTF_8);
                String layer = image.replaceAll("(?s).*\"digest\":\"(sha256:[0-9a-f]{64})\".*", "$1");
                byte[] blob = ok(fresh, "/v2/metal-installer/" + id + "/blobs/" + layer);
                assertEquals(layer, "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob)));
                assertEquals(0, built(fresh, "installer"), "nothing rebuilt on the second replica");
            }
        }
    }

    @Test
    void redirectsToAPresignedUrlExceptOnThePxeHost(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"));
                ServiceProcess service = service(s3, tmp.resolve("data"), tmp.resolve("service.log"),
                        "factory.cache.s3.redirect=true", "factory.external-url=http://127.0.0.1:{port}",
                        "factory.external-pxe-url=http://localhost:{port}")) {
            String id = created(service);
            String path = "/image/" + id + "/" + V + "/kernel-amd64";
            String pxe = "http://localhost:" + service.port + path;
            Path served = tmp.resolve("served");
            assertEquals("200", curl("-s", "-o", served.toString(), "-w", "%{http_code}", pxe),
                    "the PXE host is served directly (this request builds the kernel)");
            byte[] direct = Files.readAllBytes(served);
            assertArrayEquals(Files.readAllBytes(releases.resolve(V).resolve("usr/install/amd64/vmlinuz")), direct);

            String main = "http://127.0.0.1:" + service.port + path;
            String first = curl("-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", main);
            assertTrue(first.startsWith("302 " + s3.endpoint() + "/"), first);
            assertTrue(first.contains("X-Amz-Signature="), first);
            Path followed = tmp.resolve("followed");
            curl("-sS", "-L", "--fail", "-o", followed.toString(), main);
            assertArrayEquals(direct, Files.readAllBytes(followed), "curl -L gets the same bytes from S3");

            String head = curl("-s", "-I", main);
            assertTrue(head.startsWith("HTTP/1.1 200"), "HEAD is answered directly: " + head);
            assertTrue(head.toLowerCase().contains("content-length: " + direct.length), head);
        }
    }

    @Test
    void aDamagedObjectIsNeverServedWhole200AndIsRebuilt(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"))) {
            String id;
            byte[] kernel;
            String path;
            try (ServiceProcess writer = service(s3, tmp.resolve("a"), tmp.resolve("a.log"))) {
                id = created(writer);
                path = "/image/" + id + "/" + V + "/kernel-amd64";
                kernel = ok(writer, path);
            }
            Path object;
            try (Stream<Path> objects = Files.list(s3.objectFile("assets"))) {
                object = objects.findFirst().orElseThrow();
            }
            try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
                f.seek(kernel.length / 2);
                f.write(kernel[kernel.length / 2] ^ 0x01);
            }
            try (ServiceProcess reader = service(s3, tmp.resolve("b"), tmp.resolve("b.log"))) {
                try {
                    HttpResponse<byte[]> damaged = reader.getBytes(path);
                    assertFalse(damaged.statusCode() == 200, "a damaged artifact must not arrive as a complete 200");
                } catch (IOException expected) {
                    // the connection was aborted before the last bytes
                }
                assertArrayEquals(kernel, ok(reader, path), "rebuilt with the right bytes");
                assertEquals(1, built(reader, "kernel"), "the damaged object was rebuilt");
                assertTrue(Files.readString(reader.log).contains("is damaged"), "and the damage was logged");
            }
        }
    }

    /** Readiness follows the bucket: 503 "not ready" while S3 is unreachable, ready again once it is back. */
    @Test
    void readyzIsNotReadyWhileTheBucketIsUnreachable(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"));
                ServiceProcess service = service(s3, tmp.resolve("data"), tmp.resolve("service.log"))) {
            assertEquals(200, service.get("/readyz").statusCode());
            assertTrue(service.get("/q/health/ready").body().contains("\"s3\": \"reachable\""),
                    service.get("/q/health/ready").body());
            s3.kill();
            HttpResponse<String> down = awaitReadyz(service, 503);
            assertEquals("not ready\n", down.body());
            assertEquals("text/plain; charset=utf-8", down.headers().firstValue("Content-Type").orElse(null));
            String detail = service.get("/q/health/ready").body();
            assertTrue(detail.contains("\"s3\": \"unreachable\"") && detail.contains("\"status\": \"DOWN\""), detail);
            assertEquals(200, service.get("/healthz").statusCode(), "alive all along");
            s3.restart();
            assertEquals("", awaitReadyz(service, 200).body());
        }
    }

    /** Polls /readyz (bounded: 30 s) until it answers {@code status}. */
    private static HttpResponse<String> awaitReadyz(ServiceProcess service, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> last;
        do {
            last = service.get("/readyz");
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/readyz answered " + last.statusCode() + ", not " + status + ", for 30 s");
    }

    @Test
    void anS3OutageMidBuildAndMidDownloadGives503ThenRecovers(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"));
                ServiceProcess service = service(s3, tmp.resolve("data"), tmp.resolve("service.log"))) {
            String id = created(service);
            String initramfs = "/image/" + id + "/" + V + "/initramfs-amd64.xz";

            // Mid-build: S3 goes away once this replica holds the build lease and its build is under way.
            CompletableFuture<HttpResponse<String>> building = CompletableFuture.supplyAsync(() -> {
                try {
                    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + service.port + initramfs)).GET().build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Path leases = s3.objectFile("leases");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.isDirectory(leases) && Files.list(leases).findAny().isPresent())) {
                assertTrue(System.nanoTime() < deadline, "no build lease appeared");
                Thread.sleep(5);
            }
            Thread.sleep(400); // past the lease's read-back: the build itself is running
            s3.kill();
            HttpResponse<String> failed = building.get(120, TimeUnit.SECONDS);
            assertEquals(503, failed.statusCode(), failed.body());
            assertNotNull(failed.headers().firstValue("Retry-After").orElse(null));
            try (Stream<Path> work = Files.list(tmp.resolve("data/cache/work"))) {
                assertEquals(0, work.count(), "the build's temp data is removed");
            }
            HttpResponse<String> during = service.get(initramfs);
            assertEquals(503, during.statusCode());
            assertTrue(during.headers().firstValue("Retry-After").isPresent());

            s3.restart();
            assertFalse(Files.isDirectory(s3.objectFile("assets"))
                    && Files.list(s3.objectFile("assets")).findAny().isPresent(), "nothing partial was stored");
            byte[] bytes = ok(service, initramfs); // recovered without a restart
            String kernelPath = "/image/" + id + "/" + V + "/kernel-amd64";
            byte[] kernel = ok(service, kernelPath);

            // Mid-download: a replica with an empty disk streams from S3, and S3 goes away.
            try (ServiceProcess streaming = service(s3, tmp.resolve("b"), tmp.resolve("b.log"))) {
                HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + streaming.port + kernelPath)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, response.statusCode());
                byte[] received;
                try (InputStream in = response.body()) {
                    byte[] start = in.readNBytes(64 * 1024);
                    s3.kill();
                    try {
                        byte[] rest = in.readAllBytes();
                        received = new byte[start.length + rest.length];
                        System.arraycopy(start, 0, received, 0, start.length);
                        System.arraycopy(rest, 0, received, start.length, rest.length);
                        // Loopback buffers may have held all of it already; then it must be the right bytes.
                        assertArrayEquals(kernel, received, "a download that completes is complete and right");
                    } catch (IOException aborted) {
                        // the connection was aborted: the client knows the download is incomplete
                    }
                }
                HttpResponse<String> down = streaming.get(kernelPath);
                assertEquals(503, down.statusCode());
                assertTrue(down.headers().firstValue("Retry-After").isPresent());
                s3.restart();
                assertArrayEquals(kernel, ok(streaming, kernelPath), "recovered without a restart");
                assertArrayEquals(bytes, ok(streaming, initramfs));
            }
        }
    }

    @Test
    void twentyConcurrentColdRequestsOnTwoReplicasBuildOnce(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"));
                ServiceProcess a = service(s3, tmp.resolve("a"), tmp.resolve("a.log"));
                ServiceProcess b = service(s3, tmp.resolve("b"), tmp.resolve("b.log"))) {
            String id = created(a);
            String path = "/image/" + id + "/" + V + "/initramfs-amd64.xz";
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ServiceProcess replica = i % 2 == 0 ? a : b;
                responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port
                        + path)).timeout(Duration.ofMinutes(3)).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
            byte[] first = null;
            for (CompletableFuture<HttpResponse<byte[]>> f : responses) {
                HttpResponse<byte[]> r = f.get(4, TimeUnit.MINUTES);
                assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                if (first == null) {
                    first = r.body();
                }
                assertArrayEquals(first, r.body());
            }
            assertEquals(1, built(a, "initramfs") + built(b, "initramfs"), "one build in total over both replicas");
        }
    }

    @Test
    void wrongCredentialsStopTheStart(@TempDir Path tmp) throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"))) {
            Path log = tmp.resolve("service.log");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> service(s3, tmp.resolve("data"),
                    log, "factory.cache.s3.secret-key=wrong-secret"));
            assertTrue(e.getMessage().contains("exited early"), "never ready: " + e.getMessage());
            String text = Files.readString(log);
            assertTrue(text.contains("check factory.cache.s3.access-key and factory.cache.s3.secret-key"), text);
        }
    }

    // ---- helpers ----

    private static String created(ServiceProcess service) throws Exception {
        HttpResponse<String> response = service.post("/schematics", SCHEMATIC);
        assertEquals(201, response.statusCode(), response.body());
        return response.body().replaceAll("(?s).*\"id\":\"([0-9a-f]{64})\".*", "$1").trim();
    }

    private static byte[] ok(ServiceProcess service, String path) throws Exception {
        HttpResponse<byte[]> response = service.getBytes(path);
        assertEquals(200, response.statusCode(), path + ": " + new String(response.body(), StandardCharsets.UTF_8));
        return response.body();
    }

    /** image_factory_assets_built_total summed, for one output kind or (null) all. */
    private static double built(ServiceProcess service, String kind) throws Exception {
        return service.get("/metrics").body().lines()
                .filter(l -> l.startsWith("image_factory_assets_built_total{"))
                .filter(l -> kind == null || l.contains("output_kind=\"" + kind + "\""))
                .filter(l -> kind != null || l.contains("output_kind=\"kernel\"") || l.contains("output_kind=\"initramfs\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "--max-time", "120"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "curl " + args[args.length - 1] + ": " + out);
        return out;
    }
}
