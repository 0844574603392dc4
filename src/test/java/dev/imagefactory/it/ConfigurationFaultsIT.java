package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21, case 10: configuration that would silently do less, on the packaged service as it is run. */
class ConfigurationFaultsIT {

    @TempDir
    Path tmp;

    @Test
    void s3SettingsWithoutTheS3BackendStopTheStart() throws Exception {
        String text = logOfAStartThatStops("run on local disk", Map.of(
                "FACTORY_CACHE_S3_ENDPOINT", "http://127.0.0.1:9",
                "FACTORY_CACHE_S3_BUCKET", "factory",
                "FACTORY_CACHE_S3_ACCESS_KEY", "access",
                "FACTORY_CACHE_S3_SECRET_KEY", "never-logged-secret"));
        assertTrue(text.contains("factory.cache.backend"), text);
        assertTrue(text.contains("factory.cache.s3.endpoint"), text);
        assertFalse(text.contains("never-logged-secret"), "the secret is never logged");
    }

    /**
     * Issue 20 moved the catalog's loading to a thread of its own beside the rest of the start: a malformed catalog
     * file must still stop the start, naming the file, and never be served half-read.
     */
    @Test
    void aMalformedCatalogFileStopsTheStart() throws Exception {
        Path catalog = tmp.resolve("catalog");
        Path file = catalog.resolve("extensions-catalog").resolve("talos-1.12.0.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "talos:\n  from: v1.12.0\nextensions:\n  - name: siderolabs/gvisor\n    ref: [not, a, ref]\n");
        String text = logOfAStartThatStops("start with a malformed catalog", Map.of(),
                "factory.catalog.dir=" + catalog);
        assertTrue(text.contains(file.toString()), text);
        assertFalse(text.contains("Listening on"), "stopped before it listened: " + text);
    }

    /** Issue 19: a verification key that cannot be read stops the start, the message naming the setting. */
    @Test
    void anUnreadableVerificationKeyStopsTheStart() throws Exception {
        Path key = tmp.resolve("no-such-key.pub");
        String text = logOfAStartThatStops("start without its verification key", Map.of(),
                "factory.releases.verify.keys=" + key);
        assertTrue(text.contains("factory.releases.verify.keys: cannot read the public key " + key), text);
    }

    /** Issue 19: verification switched off is logged as an error at start-up and shown in the readiness detail. */
    @Test
    void verificationOffIsLoggedLoudlyAndShownInReadiness() throws Exception {
        Path log = tmp.resolve("service.log");
        try (ServiceProcess service = ServiceProcess.start(tmp.resolve("data"), log,
                "factory.releases.verify.enabled=false")) {
            String ready = service.get("/q/health/ready").body().replace(" ", "");
            assertTrue(ready.contains("\"verification\":\"OFF(factory.releases.verify.enabled=false)\""), ready);
        }
        String text = Files.readString(log);
        assertTrue(text.lines().anyMatch(l -> l.contains("ERROR") && l.contains("SOURCE IMAGE VERIFICATION IS OFF")), text);
    }

    @Test
    void anExtraExtensionsFolderOutsideTheVersionDirectoryStopsTheStart() throws Exception {
        String text = logOfAStartThatStops("read extensions outside the release", Map.of(
                "FACTORY_EXTENSIONS_EXTRA_FOLDER", "../other-release"));
        assertTrue(text.contains("factory.extensions.extra.folder \"../other-release\" must be a relative folder"), text);
    }

    @Test
    void boundToLocalhostTheExternalHostIsAllowedAndOthersStillRefused() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(tmp.resolve("data"), tmp.resolve("service.log"),
                "quarkus.http.host=127.0.0.1", "factory.external-url=http://factory.example.test:{port}",
                "factory.external-pxe-url=http://pxe.example.test:{port}/")) {
            int port = service.port;
            assertEquals(200, status(port, "factory.example.test:" + port));
            assertEquals(200, status(port, "FACTORY.example.test")); // host names compare case-insensitively
            assertEquals(200, status(port, "pxe.example.test:" + port));
            assertEquals(200, status(port, "localhost:" + port));
            int refused = status(port, "elsewhere.example.test:" + port);
            assertTrue(refused >= 400 && refused < 500, "an unrelated host is still refused: " + refused);
        }
    }

    /**
     * Launches the packaged service with this configuration, expects it to exit by itself with a non-zero code within
     * 60 s ({@code mustNot}: what it would otherwise do), and returns its log.
     */
    private String logOfAStartThatStops(String mustNot, Map<String, String> environment, String... properties)
            throws Exception {
        Path log = tmp.resolve("service.log");
        try (ServiceProcess service = ServiceProcess.launch(tmp.resolve("data"), log, environment, properties)) {
            OptionalInt exit = service.awaitExit(Duration.ofSeconds(60));
            assertTrue(exit.isPresent(), "the service must not " + mustNot + "; see " + log);
            assertTrue(exit.getAsInt() != 0, "exit code " + exit.getAsInt());
        }
        return Files.readString(log);
    }

    /** The status of {@code GET /healthz} sent with this {@code Host} (a raw request: HttpClient will not set Host). */
    private static int status(int port, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                answer.write(buffer, 0, n);
            }
            String statusLine = answer.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
