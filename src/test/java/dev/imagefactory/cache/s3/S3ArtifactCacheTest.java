package dev.imagefactory.cache.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.cache.BuildClaim;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.DamagedArtifactException;
import dev.imagefactory.cache.FileArtifactCache;
import dev.imagefactory.errors.StorageUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** {@link S3ArtifactCache}, {@link S3BuildLeases} and {@link S3Bucket} against a real S3 server (S3Proxy). */
@Tag("slow")
class S3ArtifactCacheTest {

    static S3ProxyServer server;
    static S3Bucket bucket;

    @BeforeAll
    static void startServer(@TempDir Path dir) throws Exception {
        server = S3ProxyServer.start(dir);
        bucket = new S3Bucket(server.settings(Duration.ofSeconds(60)));
        bucket.ensureUsable();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static S3ArtifactCache cache(Path dir, String replica) {
        return new S3ArtifactCache(bucket, new FileArtifactCache(dir, 1L << 30, new SimpleMeterRegistry()),
                new S3BuildLeases(bucket, Duration.ofSeconds(60), replica));
    }

    private static Path file(S3ArtifactCache cache, byte[] content) throws IOException {
        return Files.write(cache.newWorkDir("test").resolve("artifact"), content);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void publishUploadsWithChecksumsAndAnotherReplicaReadsItChecked(@TempDir Path a, @TempDir Path b)
            throws Exception {
        byte[] content = random(20 * 1024 * 1024 + 5, 1); // over one 16 MiB part: minio-java uploads it in parts
        CacheKey key = CacheKey.of("multipart");
        S3ArtifactCache writer = cache(a, "a");
        CachedArtifact published = writer.publish(key, file(writer, content));

        var stat = bucket.stat("assets/" + key.hex()).orElseThrow();
        assertEquals(content.length, stat.size());
        assertEquals(published.sha256(), stat.userMetadata().get("sha256"));
        assertEquals(String.valueOf(content.length), stat.userMetadata().get("size"));

        CachedArtifact remote = cache(b, "b").lookup(key).orElseThrow();
        assertTrue(remote.content().localFile().isEmpty(), "the other replica reads from S3");
        try (InputStream in = remote.content().open(0, remote.size())) {
            assertArrayEquals(content, in.readAllBytes());
        }
        try (InputStream in = remote.content().open(1000, 10)) {
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 1000, 1010), in.readAllBytes());
        }
    }

    @Test
    void aDamagedObjectFailsBeforeItsLastByteAndIsDeleted(@TempDir Path a, @TempDir Path b, @TempDir Path c)
            throws Exception {
        byte[] content = random(300_000, 2);
        CacheKey key = CacheKey.of("damaged");
        S3ArtifactCache writer = cache(a, "a");
        writer.publish(key, file(writer, content));
        flipByte(server.objectFile("assets/" + key.hex()), 123_456);

        CachedArtifact remote = cache(b, "b").lookup(key).orElseThrow();
        byte[] received = new byte[content.length];
        int total = 0;
        try (InputStream in = remote.content().open(0, remote.size())) {
            IOException failure = assertThrows(IOException.class, () -> {
                int n;
                int at = 0;
                while ((n = in.read(received, at, received.length - at)) > 0) {
                    at += n;
                }
            });
            assertTrue(failure instanceof DamagedArtifactException, failure.toString());
        }
        assertTrue(bucket.stat("assets/" + key.hex()).isEmpty(), "the damaged object is deleted");
        assertTrue(cache(c, "c").lookup(key).isEmpty(), "so the next request rebuilds it");

        // A range of an unchecked object is only served after a full check.
        writer.publish(CacheKey.of("damaged-range"), file(writer, content));
        flipByte(server.objectFile("assets/" + CacheKey.of("damaged-range").hex()), 10);
        CachedArtifact other = cache(c, "c").lookup(CacheKey.of("damaged-range")).orElseThrow();
        assertThrows(DamagedArtifactException.class, () -> other.content().open(200_000, 100));
        assertTrue(bucket.stat("assets/" + CacheKey.of("damaged-range").hex()).isEmpty());
    }

    @Test
    void anOutageFailsWith503AndLeavesNothingBehind(@TempDir Path a, @TempDir Path b) throws Exception {
        S3ArtifactCache cache = cache(a, "a");
        CacheKey key = CacheKey.of("outage");
        byte[] big = random(40 * 1024 * 1024, 3);
        cache.publish(key, file(cache, big));
        CachedArtifact remote = cache(b, "b").lookup(key).orElseThrow();
        InputStream reading = remote.content().open(0, remote.size());
        reading.readNBytes(64 * 1024);
        server.kill();
        try {
            // Mid-download: the rest of the stream fails; it never looks complete.
            assertThrows(IOException.class, () -> reading.transferTo(java.io.OutputStream.nullOutputStream()));
            reading.close();
            CacheKey other = CacheKey.of("outage-publish");
            Path built = file(cache, random(1000, 4));
            assertThrows(StorageUnavailableException.class, () -> cache.publish(other, built));
            assertTrue(cache.lookupLocal(other).isEmpty(), "no local copy of an unpublished artifact");
            assertThrows(StorageUnavailableException.class, () -> cache(b, "b").lookup(other));
        } finally {
            server.restart();
        }
        assertTrue(cache(b, "b").lookup(CacheKey.of("outage-publish")).isEmpty(), "nothing partial in the bucket");
        try (InputStream in = cache(b, "b").lookup(key).orElseThrow().content().open(0, big.length)) {
            assertArrayEquals(big, in.readAllBytes(), "works again once S3 is back");
        }
    }

    @Test
    void twentyConcurrentClaimsOnTwoReplicasGrantOneBuild(@TempDir Path a, @TempDir Path b) throws Exception {
        S3ArtifactCache[] replicas = {cache(a, "replica-a"), cache(b, "replica-b")};
        CacheKey key = CacheKey.of("claimed");
        AtomicInteger builds = new AtomicInteger();
        AtomicInteger fromElsewhere = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                S3ArtifactCache replica = replicas[i % 2];
                done.add(pool.submit(() -> {
                    go.await();
                    try (BuildClaim claim = replica.claim(key, Duration.ofSeconds(60))) {
                        if (claim.publishedElsewhere().isPresent()) {
                            fromElsewhere.incrementAndGet();
                        } else {
                            builds.incrementAndGet();
                            Thread.sleep(500);
                            replica.publish(key, file(replica, "built".getBytes()));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, builds.get(), "exactly one claim is granted");
        assertEquals(19, fromElsewhere.get());
        assertTrue(bucket.stat("leases/" + key.hex()).isEmpty(), "the lease is released after the build");
    }

    @Test
    void aLeaseLeftByADeadReplicaIsTakenOverAfterItExpires(@TempDir Path a) throws Exception {
        CacheKey key = CacheKey.of("orphaned");
        S3BuildLeases dead = new S3BuildLeases(bucket, Duration.ofSeconds(3), "dead");
        BuildClaim orphan = dead.claim(key, Duration.ofSeconds(5), Optional::empty);
        assertTrue(orphan.publishedElsewhere().isEmpty());
        dead.close(); // stops renewing, releases nothing: as if the process died
        long started = System.nanoTime();
        try (BuildClaim claim = new S3BuildLeases(bucket, Duration.ofSeconds(3), "alive")
                .claim(key, Duration.ofSeconds(30), Optional::empty)) {
            assertTrue(claim.publishedElsewhere().isEmpty(), "the live replica gets to build");
        }
        long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(waited >= 1_500 && waited < 15_000, "waited for the expiry, not forever: " + waited + " ms");
    }

    @Test
    void wrongCredentialsStopTheStartWithAClearMessage() {
        S3Settings good = server.settings(Duration.ofSeconds(60));
        S3Bucket wrong = new S3Bucket(new S3Settings(good.endpoint(), good.region(), good.bucket(), good.accessKey(),
                "not-the-secret", true, false, Duration.ofMinutes(1), Duration.ofSeconds(60)));
        IllegalStateException e = assertThrows(IllegalStateException.class, wrong::ensureUsable);
        assertTrue(e.getMessage().contains("factory.cache.s3.secret-key"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-secret"), "the secret is never in a message");
    }

    static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x01);
        }
    }
}
