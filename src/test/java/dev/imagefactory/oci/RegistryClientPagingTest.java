package dev.imagefactory.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.VerifyingInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Debian's registry cannot show: {@code Link}-paginated tag lists (it ignores {@code n}) and blob reads
 * redirected to another host (its filesystem driver serves blobs itself), answered by a scripted HTTP server.
 */
class RegistryClientPagingTest {

    HttpServer registry;
    HttpServer storage;
    final AtomicReference<String> storageAuthorization = new AtomicReference<>("unset");

    @BeforeEach
    void start() throws IOException {
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.start();
        storage.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
        storage.stop(0);
    }

    RegistryClient client() {
        RegistryEndpoint endpoint = new RegistryEndpoint("127.0.0.1:" + registry.getAddress().getPort(), true,
                Optional.of(new RegistryCredentials("user", "password")));
        return new RegistryClient(endpoint, Duration.ofSeconds(5), Duration.ofSeconds(5)).tagPageSize(2);
    }

    @Test
    void followsNextLinksUntilTheLastPage() throws IOException {
        registry.createContext("/v2/siderolabs/imager/tags/list", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            switch (query) {
                case "n=2" -> {
                    exchange.getResponseHeaders().add("Link", "</v2/siderolabs/imager/tags/list?last=v1.0.1&n=2>; rel=\"next\"");
                    send(exchange, 200, "{\"name\":\"siderolabs/imager\",\"tags\":[\"v1.0.0\",\"v1.0.1\"]}");
                }
                case "last=v1.0.1&n=2" -> {
                    exchange.getResponseHeaders().add("Link", "<http://127.0.0.1:" + registry.getAddress().getPort()
                            + "/v2/siderolabs/imager/tags/list?last=v1.1.0&n=2>; rel=next");
                    send(exchange, 200, "{\"name\":\"siderolabs/imager\",\"tags\":[\"v1.1.0\"]}");
                }
                case "last=v1.1.0&n=2" -> send(exchange, 200, "{\"name\":\"siderolabs/imager\",\"tags\":null}");
                default -> send(exchange, 400, "{\"errors\":[{\"code\":\"PAGINATION_NUMBER_INVALID\",\"message\":\"" + query + "\"}]}");
            }
        });
        assertEquals(List.of("v1.0.0", "v1.0.1", "v1.1.0"), client().tags("siderolabs/imager"));
    }

    @Test
    void blobRedirectsToOtherHostsCarryNoCredentials() throws IOException {
        byte[] content = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Descriptor blob = new Descriptor(MediaTypes.OCI_LAYER, Digests.sha256(content), content.length);
        registry.createContext("/v2/", exchange -> {
            if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            exchange.getResponseHeaders().add("Location", "http://localhost:" + storage.getAddress().getPort()
                    + "/signed/blob?X-Amz-Signature=abc");
            send(exchange, 307, "");
        });
        storage.createContext("/signed/", exchange -> {
            storageAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(200, content.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content);
            }
        });
        try (VerifyingInputStream in = client().blob("siderolabs/imager", blob)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertNull(storageAuthorization.get(), "credentials must not follow a redirect to another host");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
