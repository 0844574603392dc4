package dev.imagefactory.cache;

import dev.imagefactory.model.BuildLabels;

import dev.imagefactory.build.ArtifactBuilds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 case 4/5: what is leased or held is never evicted; released, it goes like anything else. */
class CachePinningTest {

    private static final int KB = 1024;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private FileArtifactCache open(long maxBytes) {
        return new FileArtifactCache(dir.resolve("cache"), maxBytes, registry);
    }

    private static byte[] bytes(int size, int fill) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) fill);
        return data;
    }

    private static Path built(FileArtifactCache cache, byte[] data) throws IOException {
        Path file = cache.newWorkDir("test").resolve("out.bin");
        Files.write(file, data);
        return file;
    }

    private static CacheKey key(String name) {
        return CacheKey.of("test", name);
    }

    @Test
    void aLeasedArtifactSurvivesAnEvictingPublishAndGoesOnceReleased() throws Exception {
        FileArtifactCache cache = open(10 * KB);
        CachedArtifact a = cache.publish(key("a"), built(cache, bytes(6 * KB, 1)));
        ArtifactLease lease = cache.pin(a).orElseThrow();

        cache.publish(key("b"), built(cache, bytes(6 * KB, 2))); // 12 KB > 10 KB: a would be the victim

        assertTrue(Files.exists(lease.file()), "a leased file stays in place");
        assertArrayEquals(bytes(6 * KB, 1), Files.readAllBytes(lease.file()));
        assertTrue(cache.isPinned(key("a")));
        assertEquals(12 * KB, cache.sizeBytes(), "over the bound while everything left is in use");

        lease.close();
        assertFalse(Files.exists(a.file()), "released, the least recently used artifact is evicted");
        assertTrue(cache.lookup(key("a")).isEmpty());
        assertTrue(cache.lookup(key("b")).isPresent());
        assertEquals(6 * KB, cache.sizeBytes());
        lease.close(); // a second close releases nothing more
        assertEquals(6 * KB, cache.sizeBytes());
    }

    @Test
    void leasesAreCountedAndAnEvictedArtifactCannotBeLeased() throws Exception {
        FileArtifactCache cache = open(10 * KB);
        CachedArtifact a = cache.publish(key("a"), built(cache, bytes(6 * KB, 1)));
        ArtifactLease first = cache.pin(a).orElseThrow();
        ArtifactLease second = cache.pin(a).orElseThrow();
        cache.publish(key("b"), built(cache, bytes(6 * KB, 2)));
        first.close();
        assertTrue(Files.exists(a.file()), "still leased once");
        second.close();
        assertFalse(Files.exists(a.file()));
        assertTrue(cache.pin(a).isEmpty(), "an evicted artifact is not leased: the caller gets it again");
    }

    @Test
    void publishPinnedLeasesBeforeAnyEvictionCanSeeIt() throws Exception {
        FileArtifactCache cache = open(10 * KB);
        try (ArtifactLease a = cache.publishPinned(key("a"), built(cache, bytes(6 * KB, 1)), Set.of())) {
            cache.publish(key("b"), built(cache, bytes(6 * KB, 2)));
            cache.publish(key("c"), built(cache, bytes(6 * KB, 3)));
            assertTrue(Files.exists(a.file()));
            assertTrue(cache.lookup(key("b")).isEmpty(), "b was not leased and went");
        }
        assertTrue(cache.lookup(key("a")).isEmpty());
        assertTrue(cache.lookup(key("c")).isPresent());
    }

    @Test
    void heldArtifactsStayWhileTheirHolderIsThereAndLeaveWithIt() throws Exception {
        FileArtifactCache cache = open(20 * KB);
        ArtifactLease x = cache.publishPinned(key("x"), built(cache, bytes(4 * KB, 1)), Set.of());
        ArtifactLease y = cache.publishPinned(key("y"), built(cache, bytes(4 * KB, 2)), Set.of());
        ArtifactLease record = cache.publishPinned(key("record"), built(cache, bytes(100, 3)),
                Set.of(key("x"), key("y")));
        x.close();
        y.close();
        assertTrue(cache.isPinned(key("x")) && cache.isPinned(key("y")), "held by the record");

        // x and y are the least recently used, yet they stay while the (leased) record is there
        for (int i = 0; i < 5; i++) {
            cache.publish(key("filler" + i), built(cache, bytes(6 * KB, 10 + i)));
            assertTrue(Files.exists(record.file()) && Files.exists(x.file()) && Files.exists(y.file()));
        }
        // shared with another image, y outlives this record
        ArtifactLease other = cache.publishPinned(key("other-record"), built(cache, bytes(100, 4)), Set.of(key("y")));
        other.close();
        record.close(); // the least recently used unpinned artifact now: it goes, and what it alone held with it
        cache.publish(key("last"), built(cache, bytes(6 * KB, 20)));
        assertTrue(cache.lookup(key("record")).isEmpty());
        assertFalse(Files.exists(x.file()), "evicted with its holder, as one unit");
        assertTrue(Files.exists(y.file()), "still held by the other record");
        assertTrue(cache.lookup(key("other-record")).isPresent());
        assertTrue(cache.sizeBytes() <= 20 * KB, "back within the bound: " + cache.sizeBytes());
    }

    @Test
    void holdsSurviveARestart() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        try (ArtifactLease x = cache.publishPinned(key("x"), built(cache, bytes(KB, 1)), Set.of());
                ArtifactLease record = cache.publishPinned(key("record"), built(cache, bytes(100, 2)), Set.of(key("x")))) {
            assertTrue(cache.isPinned(key("x")));
        }
        cache.publish(key("loose"), built(cache, bytes(KB, 3)));

        FileArtifactCache reopened = open(1 << 20);
        assertTrue(reopened.isPinned(key("x")), "the record's metadata names what it holds");
        assertFalse(reopened.isPinned(key("record")));
        assertFalse(reopened.isPinned(key("loose")));
    }

    @Test
    void aRecordCannotHoldWhatIsNotInTheCache() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        Path record = built(cache, bytes(100, 1));
        assertThrows(IllegalStateException.class, () -> cache.publishPinned(key("record"), record, Set.of(key("gone"))));
        assertTrue(cache.lookup(key("record")).isEmpty());
    }

    @Test
    void aBuildKeepsTheIntermediateItUsesWhileConcurrentPublishesOverflowTheCache() throws Exception {
        FileArtifactCache cache = open(10 * KB);
        ArtifactBuilds builds = new ArtifactBuilds(cache, registry, 2, Duration.ofMinutes(1));
        BuildLabels labels = new BuildLabels("iso", "v1.0.0", "amd64");
        try (ArtifactLease outer = builds.lease(key("outer"), labels, work -> {
            try (ArtifactLease part = builds.leaseIntermediate(key("part"), "part", labels, partWork ->
                    Files.write(partWork.resolve("part"), bytes(6 * KB, 1)))) {
                // another build publishes meanwhile: the cache overflows and part is the least recently used
                cache.publish(key("other"), built(cache, bytes(6 * KB, 2)));
                byte[] read = Files.readAllBytes(part.file()); // what a tool given the path would do
                return Files.write(work.resolve("out"), read);
            }
        })) {
            assertArrayEquals(bytes(6 * KB, 1), Files.readAllBytes(outer.file()));
        } finally {
            builds.close();
        }
        assertTrue(cache.lookup(key("part")).isEmpty(), "released by the build, the intermediate was evicted");
    }
}
