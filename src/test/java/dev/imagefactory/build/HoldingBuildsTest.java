package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.ArtifactBuildException;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.FileArtifactCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build whose product holds other artifacts (an installer image's record and its blobs): what it holds stays in
 * the cache as long as the product does, and the leases the action took on them are released once it is published.
 */
class HoldingBuildsTest {

    private static final int KB = 1024;
    private static final BuildLabels LABELS = new BuildLabels("installer", "v1.11.0", "amd64");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ArtifactBuilds builds;

    @AfterEach
    void close() {
        if (builds != null) {
            builds.close();
        }
    }

    @Test
    void whatTheProductHoldsOutlivesItsBuildersLeaseAndEvictionPressure() throws Exception {
        FileArtifactCache cache = new FileArtifactCache(dir.resolve("cache"), 10 * KB, registry);
        builds = new ArtifactBuilds(cache, registry, 2, Duration.ofMinutes(1));
        CacheKey blob = CacheKey.of("blob");
        ArtifactLease[] blobLease = new ArtifactLease[1];

        ArtifactLease record = builds.leaseHoldingAsync(CacheKey.of("record"), LABELS, work -> {
            Path blobFile = Files.write(work.resolve("blob"), bytes(6 * KB, 1));
            blobLease[0] = cache.publishPinned(blob, blobFile, Set.of());
            Path recordFile = Files.write(work.resolve("record.json"), "{}".getBytes());
            return new BuildOutput(recordFile, Set.of(blob), blobLease[0]);
        }).get(30, TimeUnit.SECONDS);

        assertFalse(blobLease[0].isOpen(), "the builder's own lease is released once the record is published");
        cache.publish(CacheKey.of("other"), written(cache, bytes(6 * KB, 2)));
        assertTrue(cache.lookup(blob).isPresent(), "held by the leased record, the blob is not evicted");
        assertArrayEquals(bytes(6 * KB, 1), Files.readAllBytes(cache.lookup(blob).get().file()));
        assertEquals(1.0, registry.counter(ArtifactBuilds.BUILT, "talos_version", "v1.11.0", "output_kind",
                "installer", "arch", "amd64").count());

        record.close();
        cache.publish(CacheKey.of("third"), written(cache, bytes(1 * KB, 3))); // over the bound again
        assertTrue(cache.lookup(CacheKey.of("record")).isEmpty() == cache.lookup(blob).isEmpty(),
                "the record and what it holds leave together");
    }

    @Test
    void aFailingHoldingBuildReleasesNothingItDidNotReturn() throws Exception {
        FileArtifactCache cache = new FileArtifactCache(dir.resolve("cache"), 1L << 20, registry);
        builds = new ArtifactBuilds(cache, registry, 2, Duration.ofMinutes(1));
        boolean[] released = new boolean[1];
        var failed = builds.leaseHoldingAsync(CacheKey.of("bad"), LABELS, work -> new BuildOutput(
                work.resolve("missing.json"), Set.of(), () -> released[0] = true));
        assertTrue(assertFailure(failed));
        assertTrue(released[0], "the output's leases are released when its file cannot be published");
        assertTrue(cache.lookup(CacheKey.of("bad")).isEmpty());
    }

    private static boolean assertFailure(java.util.concurrent.CompletableFuture<?> future) throws Exception {
        try {
            future.get(30, TimeUnit.SECONDS);
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof ArtifactBuildException;
        }
    }

    private static Path written(FileArtifactCache cache, byte[] data) throws Exception {
        return Files.write(cache.newWorkDir("test").resolve("out.bin"), data);
    }

    private static byte[] bytes(int size, int fill) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) fill);
        return data;
    }
}
