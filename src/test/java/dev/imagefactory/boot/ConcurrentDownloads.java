package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Identical GETs sent at once, each body hashed as it streams in (many large bodies would not fit in the heap). */
final class ConcurrentDownloads {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ConcurrentDownloads() {
    }

    /** The SHA-256 of each of {@code count} concurrent GETs of {@code path}; each must answer 200. */
    static List<String> sha256OfBodies(URI base, String path, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(() -> streamedSha256(base.resolve(path)));
        }
        List<String> bodies = new ArrayList<>();
        try {
            for (Future<String> result : pool.invokeAll(calls)) {
                bodies.add(result.get());
            }
        } finally {
            pool.shutdown();
        }
        return bodies;
    }

    private static String streamedSha256(URI uri) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream body = response.body()) {
            assertEquals(200, response.statusCode(), uri.toString());
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) != -1; ) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
