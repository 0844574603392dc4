package dev.imagefactory.build;

import dev.imagefactory.errors.ArtifactBuildException;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.FileArtifactCache;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases carried through futures (issue 21, cases 3 and 4 together): a build that finishes after its waiter left, a
 * dependent build that fails, a combination with one failed input: none leaves an artifact pinned.
 */
class AsyncLeasesTest {

    private static final BuildLabels LABELS = new BuildLabels("iso", "v1.11.0", "amd64");

    @TempDir
    Path dir;

    private FileArtifactCache cache;
    private ArtifactBuilds builds;
    /** Counted down each time a build's artifact has been pinned for a waiter. */
    private final Semaphore pins = new Semaphore(0);

    @BeforeEach
    void open() {
        cache = new FileArtifactCache(dir.resolve("cache"), 1L << 30, new SimpleMeterRegistry());
        ArtifactCache observed = new ArtifactCache() {
            @Override
            public Optional<CachedArtifact> lookup(CacheKey key) {
                return cache.lookup(key);
            }

            @Override
            public CachedArtifact publish(CacheKey key, Path built) {
                return cache.publish(key, built);
            }

            @Override
            public Path newWorkDir(String purpose) {
                return cache.newWorkDir(purpose);
            }

            @Override
            public Optional<CachedArtifact> lookupLocal(CacheKey key) {
                return cache.lookupLocal(key);
            }

            @Override
            public CachedArtifact publishLocal(CacheKey key, Path built) {
                return cache.publishLocal(key, built);
            }

            @Override
            public Optional<ArtifactLease> pin(CachedArtifact artifact) {
                Optional<ArtifactLease> lease = cache.pin(artifact);
                pins.release();
                return lease;
            }
        };
        builds = new ArtifactBuilds(observed, new SimpleMeterRegistry(), 2, Duration.ofMinutes(1));
    }

    @AfterEach
    void close() {
        builds.close();
    }

    /**
     * Not pinned by anyone, allowing the moment a finishing build needs to drop its own publish pin: it holds the
     * fresh artifact until its waiters were told (and had taken their leases), then lets go.
     */
    private void assertReleased(CacheKey key, String... message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cache.isPinned(key) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(cache.isPinned(key), message.length == 0 ? "released" : message[0]);
    }

    private static CacheKey key(String name) {
        return CacheKey.of("async-leases-test", name);
    }

    private static BuildAction writes(String content) {
        return work -> Files.writeString(work.resolve("out"), content);
    }

    private static BuildAction failsWith(RuntimeException failure) {
        return work -> {
            throw failure;
        };
    }

    /** Waits (bounded) until the build's artifact was pinned for its waiter and released again; false if it stays pinned. */
    private boolean pinnedThenReleased(CacheKey key) throws InterruptedException {
        if (!pins.tryAcquire(30, TimeUnit.SECONDS)) {
            return false;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (cache.lookup(key).isPresent() && !cache.isPinned(key)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Test
    void aLeaseArrivingAfterItsWaiterGaveUpIsReleased() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<ArtifactLease> leased = builds.leaseAsync(key("late"), LABELS, work -> {
            release.await();
            return Files.writeString(work.resolve("out"), "late");
        });
        assertTrue(leased.cancel(false), "the waiter gives up while the build runs");
        release.countDown();

        assertTrue(pinnedThenReleased(key("late")),
                "the build still publishes, and as nobody took the lease nothing pins the artifact");
    }

    @Test
    void aLeaseTakenIsHeldUntilClosed() throws Exception {
        ArtifactLease lease = builds.leaseAsync(key("taken"), LABELS, writes("taken")).get(30, TimeUnit.SECONDS);
        assertTrue(cache.isPinned(key("taken")));
        lease.close();
        assertReleased(key("taken"));
    }

    @Test
    void aPrerequisiteIsHeldWhileItsDependentBuildsAndReleasedWhenThatFails() throws Exception {
        CountDownLatch dependentRuns = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<ArtifactLease> dependent = builds.leaseAsync(key("initramfs"), LABELS, writes("initramfs"))
                .thenCompose(initramfs -> AsyncLeases.holding(initramfs,
                        () -> builds.leaseAsync(key("iso"), LABELS, work -> {
                            dependentRuns.countDown();
                            release.await();
                            throw new IllegalStateException("xorriso failed");
                        })));
        assertTrue(dependentRuns.await(30, TimeUnit.SECONDS));
        assertTrue(cache.isPinned(key("initramfs")), "the input stays leased while the dependent build runs");

        release.countDown();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> dependent.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ArtifactBuildException.class, AsyncLeases.unwrap(failed));
        assertReleased(key("initramfs"), "released once the dependent build failed");
        assertReleased(key("iso"));
    }

    @Test
    void theInputsThatArrivedAreReleasedWhenAnotherInputOfTheCombinationFails() throws Exception {
        CompletableFuture<List<ArtifactLease>> both = AsyncLeases.all(List.of(
                builds.leaseAsync(key("uki"), LABELS, writes("uki")),
                builds.leaseIntermediateAsync(key("loader"), "signed-systemd-boot", LABELS,
                        failsWith(new IllegalStateException("sbsign failed")))));

        assertThrows(ExecutionException.class, () -> both.get(30, TimeUnit.SECONDS));
        assertTrue(cache.lookup(key("uki")).isPresent());
        assertReleased(key("uki"), "the UKI that did arrive is not left leased");
    }

    @Test
    void aDependentThatCannotEvenStartReleasesItsPrerequisiteAtOnce() throws Exception {
        ArtifactLease input = builds.leaseAsync(key("input"), LABELS, writes("input")).get(30, TimeUnit.SECONDS);
        CompletableFuture<ArtifactLease> dependent = AsyncLeases.holding(input, () -> {
            throw new IllegalArgumentException("bad key");
        });
        assertTrue(dependent.isCompletedExceptionally());
        assertReleased(key("input"));
    }
}
