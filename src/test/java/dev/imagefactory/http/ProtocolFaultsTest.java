package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Issue 21, case 9: small protocol faults, each checked on the wire. */
@QuarkusTest
class ProtocolFaultsTest {

    private static final String EMPTY_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void optionsListsOnlyTheMethodsOfThatPath() {
        given().body("customization: {}").post("/schematics").then().statusCode(201);
        given().options("/schematics/" + EMPTY_SCHEMATIC).then().statusCode(200)
                .header("Allow", equalTo("GET, HEAD, OPTIONS"));
        given().options("/schematics").then().statusCode(200).header("Allow", equalTo("POST, OPTIONS"));
        given().options("/healthz").then().statusCode(200).header("Allow", equalTo("GET, HEAD, OPTIONS"));
    }

    @Test
    void aTagPageSizeThatIsNoNumberIsARegistryError() {
        given().body("customization: {}").post("/schematics").then().statusCode(201);
        String tags = "/v2/installer/" + EMPTY_SCHEMATIC + "/tags/list";
        for (String n : List.of("abc", "-1", "1e3", "99999999999")) {
            given().queryParam("n", n).get(tags).then().statusCode(400)
                    .header("Content-Type", equalTo("application/json"))
                    .header("Docker-Distribution-API-Version", equalTo("registry/2.0"))
                    .body("errors[0].code", equalTo("PAGINATION_NUMBER_INVALID"));
        }
        given().queryParam("n", "1").get(tags).then().statusCode(200)
                .body("tags.size()", org.hamcrest.Matchers.lessThanOrEqualTo(1)); // this profile may have no version
    }

    @Test
    void anUnknownHttpVersionIsRefusedWith505() throws Exception {
        for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/1.2")) {
            String answer = exchange(("GET /healthz " + version + "\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(answer.startsWith("HTTP/") && answer.contains(" 505 "), version + " -> " + answer);
            assertTrue(answer.endsWith("HTTP version not supported\n"), answer);
        }
        String ok = exchange("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(ok.startsWith("HTTP/1.0 200 "), ok);
    }

    @Test
    void aBrokenHttp2PrefaceIsLoggedAtDebugOnly() throws Exception {
        Logger logger = Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.setLevel(Level.ALL); // so the lowered record is still published, and seen here
        logger.addHandler(capture);
        try {
            for (int i = 0; i < 3; i++) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.write(H2_PREFACE);
                request.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // not a SETTINGS frame
                exchange(request.toByteArray());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(level);
        }
        assertEquals(3, records.size(), "one record per broken connection");
        for (LogRecord record : records) {
            assertTrue(record.getLevel().intValue() <= Level.FINE.intValue(),
                    record.getLevel() + " " + record.getMessage());
        }
        // a well-formed h2c client is still served
        Process curl = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                "%{http_version} %{http_code}", "http://127.0.0.1:" + RestAssured.port + "/healthz").start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
        assertEquals("2 200", new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
    }

    /** Sends raw bytes and reads until the server closes the connection (bounded by a read timeout). */
    private static String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                assertFalse(true, "the server kept the connection open: " + answer.toString(StandardCharsets.ISO_8859_1));
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
