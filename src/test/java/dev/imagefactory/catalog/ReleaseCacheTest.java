package dev.imagefactory.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseCacheTest {

    @TempDir
    Path data;

    @Test
    void concurrentRequestsShareOneFillAndLaterOnesReuseIt() throws Exception {
        ReleaseCache cache = new ReleaseCache(data);
        AtomicInteger fills = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> cache.directory("kind", "key", "test", dir -> {
                    fills.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    Files.writeString(dir.resolve("f"), "content");
                })));
            }
            Thread.sleep(200);
            release.countDown();
            for (Future<Path> result : results) {
                assertEquals(data.resolve("kind/key"), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fills.get());
        assertEquals("content", Files.readString(new ReleaseCache(data).directory("kind", "key", "test", dir -> {
            throw new AssertionError("a restarted process reuses the entry");
        }).resolve("f")));
    }

    @Test
    void aFailedFillLeavesNothingBehind() throws IOException {
        ReleaseCache cache = new ReleaseCache(data);
        ReleaseDataException e = assertThrows(ReleaseDataException.class, () -> cache.directory("kind", "key", "source X",
                dir -> {
                    Files.createDirectories(dir.resolve("read-only"));
                    Files.writeString(dir.resolve("read-only/f"), "partial");
                    dir.resolve("read-only").toFile().setWritable(false);
                    throw new IOException("network down");
                }));
        assertEquals("source X: network down", e.getMessage());
        assertEquals(List.of(), list(data.resolve("kind")));
        assertTrue(cache.existing("kind", "key").isEmpty());
    }

    @Test
    void abandonedScratchDirectoriesAreSwept() throws IOException {
        Path old = Files.createDirectories(data.resolve("kind/.key.tmp-123"));
        Path recent = Files.createDirectories(data.resolve("kind/.other.tmp-456"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        new ReleaseCache(data).directory("kind", "new", "test", dir -> { });
        assertEquals(List.of(recent.getFileName().toString(), "new"), list(data.resolve("kind")));
    }

    @Test
    void refusesKeysThatAreNotPlainNames() {
        ReleaseCache cache = new ReleaseCache(data);
        assertThrows(IllegalArgumentException.class, () -> cache.directory("kind", "../x", "t", d -> { }));
        assertThrows(IllegalArgumentException.class, () -> cache.directory("a/b", "x", "t", d -> { }));
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
