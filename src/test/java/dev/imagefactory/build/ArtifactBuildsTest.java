package dev.imagefactory.build;

import dev.imagefactory.errors.ArtifactBuildException;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.errors.BuildQueueFullException;
import dev.imagefactory.errors.BuildTimeoutException;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.FileArtifactCache;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactBuildsTest {

    private static final BuildLabels LABELS = new BuildLabels("iso", "v1.11.0", "amd64");
    private static final Duration LONG = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<ArtifactBuilds> opened = new ArrayList<>();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private FileArtifactCache files;

    /** The file cache, with lookups counted (each request looks up once before it joins or starts a flight). */
    private final class CountingCache implements ArtifactCache {
        final AtomicInteger lookups = new AtomicInteger();
        volatile CountDownLatch lookupLatch = new CountDownLatch(0);

        @Override
        public Optional<CachedArtifact> lookup(CacheKey key) {
            lookups.incrementAndGet();
            lookupLatch.countDown();
            return files.lookup(key);
        }

        @Override
        public CachedArtifact publish(CacheKey key, Path built) {
            return files.publish(key, built);
        }

        @Override
        public Path newWorkDir(String purpose) {
            return files.newWorkDir(purpose);
        }
    }

    private CountingCache cache;

    private ArtifactBuilds builds(int maxConcurrency, Duration timeout) {
        files = new FileArtifactCache(dir.resolve("cache"), 1L << 30, registry);
        cache = new CountingCache();
        ArtifactBuilds builds = new ArtifactBuilds(cache, registry, maxConcurrency, timeout);
        opened.add(builds);
        return builds;
    }

    @AfterEach
    void close() {
        opened.forEach(ArtifactBuilds::close);
        callers.shutdownNow();
    }

    private static CacheKey key(String name) {
        return CacheKey.of("builds-test", name);
    }

    private static Path write(Path workDir, String content) throws IOException {
        return Files.writeString(workDir.resolve("out"), content);
    }

    private Path workRoot() {
        return dir.resolve("cache/work");
    }

    private long workDirsLeft() throws IOException {
        try (Stream<Path> s = Files.list(workRoot())) {
            return s.count();
        }
    }

    private double count(String name) {
        var counter = registry.find(name).tags("output_kind", "iso", "talos_version", "v1.11.0", "arch", "amd64").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void beyondMaxWaitingARequestIsRefusedAtOnceStartsNothingAndCachedOnesAreStillServed() throws Exception {
        files = new FileArtifactCache(dir.resolve("cache"), 1L << 30, registry);
        cache = new CountingCache();
        ArtifactBuilds builds = new ArtifactBuilds(cache, registry, 1, LONG, 2);
        opened.add(builds);
        CountDownLatch release = new CountDownLatch(1);
        BuildAction slow = work -> {
            release.await();
            return write(work, "slow");
        };
        builds.getOrBuild(key("cached"), LABELS, work -> write(work, "cached"));
        CompletableFuture<CachedArtifact> first = builds.admitted(() -> builds.getOrBuildAsync(key("a"), LABELS, slow));
        CompletableFuture<CachedArtifact> second = builds.admitted(() -> builds.getOrBuildAsync(key("a"), LABELS, slow));
        assertEquals(2, builds.waitingRequests());
        AtomicInteger thirdRan = new AtomicInteger();

        CompletableFuture<CachedArtifact> third = builds.admitted(() -> builds.getOrBuildAsync(key("b"), LABELS,
                work -> {
                    thirdRan.incrementAndGet();
                    return write(work, "b");
                }));
        assertTrue(third.isCompletedExceptionally(), "refused before admitted() returned, without waiting");
        ExecutionException refused = assertThrows(ExecutionException.class, third::get);
        assertInstanceOf(BuildQueueFullException.class, refused.getCause());
        assertTrue(refused.getCause().getMessage().contains("factory.build.max-waiting=2"), refused.getCause().getMessage());
        assertEquals(1, builds.buildsInFlight(), "the refused request started no build");
        CompletableFuture<CachedArtifact> hit = builds.admitted(() -> builds.getOrBuildAsync(key("cached"), LABELS,
                work -> fail("cached")));
        assertEquals("cached", Files.readString(hit.get(5, TimeUnit.SECONDS).file()), "a cache hit is served when full");
        assertEquals(2.0, registry.get(ArtifactBuilds.WAITING).gauge().value());

        release.countDown();
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        assertEquals(0, builds.waitingRequests(), "done requests stop counting");
        assertEquals("b", Files.readString(builds.admitted(() -> builds.getOrBuildAsync(key("b"), LABELS,
                work -> write(work, "b"))).get(30, TimeUnit.SECONDS).file()), "admitted again once below the bound");
        assertEquals(0, thirdRan.get());
    }

    @Test
    void buildsOnceThenServesFromTheCache() throws Exception {
        ArtifactBuilds builds = builds(2, LONG);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Path> usedWorkDir = new AtomicReference<>();
        BuildAction action = workDir -> {
            calls.incrementAndGet();
            usedWorkDir.set(workDir);
            Files.writeString(workDir.resolve("scratch"), "x");
            return write(workDir, "artifact");
        };
        CachedArtifact built = builds.getOrBuild(key("a"), LABELS, action);
        assertEquals("artifact", Files.readString(built.file()));
        assertFalse(Files.exists(usedWorkDir.get()), "the work directory is deleted after success");
        assertEquals(0, workDirsLeft());

        assertEquals(built, builds.getOrBuild(key("a"), LABELS, action));
        assertEquals(1, calls.get());
        assertEquals(1.0, count(ArtifactBuilds.BUILT));
        assertEquals(8.0, count(ArtifactBuilds.BUILT_BYTES));
        assertEquals(1.0, count(ArtifactBuilds.DELIVERED_CACHED));
        assertEquals(1.0, count(ArtifactBuilds.CACHE_HITS));
        assertEquals(1.0, count(ArtifactBuilds.CACHE_MISSES));
        assertEquals(1, registry.get(ArtifactBuilds.BUILD_LATENCY).tags("output_kind", "iso").timer().count());
        assertEquals(1, registry.get(ArtifactBuilds.CONCURRENCY_LATENCY).tags("output_kind", "iso").timer().count());
        assertEquals(0, builds.buildsInFlight());
        assertEquals(0, builds.slotsInUse());
    }

    @Test
    void concurrentRequestsForOneKeyShareOneBuild() throws Exception {
        ArtifactBuilds builds = builds(6, LONG);
        int n = 32;
        // Every caller's own lookup happens before it joins; the build finishes only after all 32 looked up
        // (the flight's own re-check is the 33rd lookup), so all 32 really overlap with the build.
        cache.lookupLatch = new CountDownLatch(n + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        BuildAction action = workDir -> {
            calls.incrementAndGet();
            assertTrue(cache.lookupLatch.await(30, TimeUnit.SECONDS), "all callers looked up");
            return write(workDir, "shared");
        };
        List<Future<CachedArtifact>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(callers.submit(() -> {
                start.await();
                return builds.getOrBuild(key("shared"), LABELS, action);
            }));
        }
        start.countDown();
        CachedArtifact first = results.get(0).get(30, TimeUnit.SECONDS);
        for (Future<CachedArtifact> result : results) {
            assertEquals(first, result.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, calls.get(), "exactly one build");
        assertEquals((double) n, count(ArtifactBuilds.CACHE_MISSES), "every caller missed the cache and waited");
        assertEquals(1.0, count(ArtifactBuilds.BUILT));
        assertEquals("shared", Files.readString(first.file()));
    }

    @Test
    void neverRunsMoreBuildsThanTheLimit() throws Exception {
        int limit = 3;
        ArtifactBuilds builds = builds(limit, LONG);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        CountDownLatch firstWave = new CountDownLatch(limit);
        CountDownLatch release = new CountDownLatch(1);
        BuildAction action = workDir -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            started.incrementAndGet();
            firstWave.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
                return write(workDir, workDir.toString());
            } finally {
                running.decrementAndGet();
            }
        };
        List<CompletableFuture<CachedArtifact>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(builds.getOrBuildAsync(key("k" + i), LABELS, action));
        }
        assertTrue(firstWave.await(30, TimeUnit.SECONDS));
        assertEquals(limit, builds.slotsInUse());
        assertEquals(limit, started.get(), "the others wait for a slot");
        assertEquals(10, builds.buildsInFlight());
        release.countDown();
        for (CompletableFuture<CachedArtifact> result : results) {
            assertNotNull(result.get(30, TimeUnit.SECONDS));
        }
        assertEquals(limit, maxRunning.get());
        assertEquals(10, started.get());
        assertEquals(0, builds.slotsInUse());
        assertEquals(10, registry.get(ArtifactBuilds.CONCURRENCY_LATENCY).timer().count());
    }

    @Test
    void aTimedOutBuildIsInterruptedCleanedUpAndRetriedLater() throws Exception {
        ArtifactBuilds builds = builds(1, Duration.ofMillis(300));
        AtomicReference<Path> usedWorkDir = new AtomicReference<>();
        AtomicReference<Throwable> seenByAction = new AtomicReference<>();
        BuildAction hangs = workDir -> {
            usedWorkDir.set(workDir);
            Files.writeString(workDir.resolve("partial"), "half");
            try {
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                seenByAction.set(e);
                throw e;
            }
            return fail("not reached");
        };
        BuildTimeoutException e = assertThrows(BuildTimeoutException.class, () -> builds.getOrBuild(key("t"), LABELS, hangs));
        assertTrue(e.getMessage().contains("timed out after 300ms"), e.getMessage());
        assertTrue(e.getMessage().contains("iso for Talos v1.11.0 amd64"), e.getMessage());
        assertInstanceOf(InterruptedException.class, seenByAction.get(), "the action was interrupted");
        assertFalse(Files.exists(usedWorkDir.get()), "the work directory is deleted before the waiters hear of it");
        assertEquals(0, builds.slotsInUse());
        assertEquals(1.0, count(ArtifactBuilds.BUILD_FAILED));
        assertTrue(files.lookup(key("t")).isEmpty(), "nothing published");

        CachedArtifact retried = builds.getOrBuild(key("t"), LABELS, workDir -> write(workDir, "second try"));
        assertEquals("second try", Files.readString(retried.file()));
    }

    @Test
    void aBuildIgnoringItsInterruptStillFailsItsWaitersAndKeepsItsSlotUntilItStops() throws Exception {
        ArtifactBuilds builds = builds(1, Duration.ofMillis(200));
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicReference<Path> usedWorkDir = new AtomicReference<>();
        BuildAction stubborn = workDir -> {
            usedWorkDir.set(workDir);
            while (true) {
                try {
                    if (letGo.await(30, TimeUnit.SECONDS)) {
                        return write(workDir, "too late");
                    }
                } catch (InterruptedException ignored) {
                    // keeps going
                }
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(BuildTimeoutException.class, () -> builds.getOrBuild(key("s"), LABELS, stubborn)));
        assertTrue(Files.exists(usedWorkDir.get()), "still in use by the stubborn action");
        assertEquals(1, builds.slotsInUse(), "the slot is held while the action really runs");

        // The next build needs that slot, so it completes only after the stubborn one stopped and cleaned up.
        CompletableFuture<CachedArtifact> next = builds.getOrBuildAsync(key("next"), LABELS, workDir -> write(workDir, "next"));
        letGo.countDown();
        assertEquals("next", Files.readString(next.get(10, TimeUnit.SECONDS).file()));
        assertFalse(Files.exists(usedWorkDir.get()));
        assertTrue(files.lookup(key("s")).isEmpty(), "a timed-out build never publishes");
    }

    @Test
    void anInterruptedCallerDoesNotCancelTheBuild() throws Exception {
        ArtifactBuilds builds = builds(2, LONG);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        BuildAction slow = workDir -> {
            calls.incrementAndGet();
            started.countDown();
            release.await();
            return write(workDir, "finished anyway");
        };
        AtomicReference<Throwable> callerError = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                builds.getOrBuild(key("detached"), LABELS, slow);
            } catch (Throwable t) {
                callerError.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(10_000);
        assertFalse(caller.isAlive());
        assertInstanceOf(ArtifactBuildException.class, callerError.get());
        assertTrue(stillInterrupted.get(), "the interrupt flag is restored");

        // A caller that gives up waiting (timeout on its own future) does not cancel it either.
        CompletableFuture<CachedArtifact> impatient = builds.getOrBuildAsync(key("detached"), LABELS, slow);
        assertThrows(TimeoutException.class, () -> impatient.get(50, TimeUnit.MILLISECONDS));
        impatient.cancel(true);

        release.countDown();
        CachedArtifact artifact = builds.getOrBuild(key("detached"), LABELS, workDir -> fail("must not build again"));
        assertEquals("finished anyway", Files.readString(artifact.file()));
        assertEquals(1, calls.get());
    }

    @Test
    void failuresReachEveryWaiterAndAreNotCached() throws Exception {
        ArtifactBuilds builds = builds(2, LONG);
        int n = 8;
        cache.lookupLatch = new CountDownLatch(n + 1);
        AtomicInteger calls = new AtomicInteger();
        Set<Path> workDirs = ConcurrentHashMap.newKeySet();
        BuildAction broken = workDir -> {
            calls.incrementAndGet();
            workDirs.add(workDir);
            assertTrue(cache.lookupLatch.await(30, TimeUnit.SECONDS));
            throw new IOException("mksquashfs: disk full");
        };
        List<Future<CachedArtifact>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(callers.submit(() -> builds.getOrBuild(key("f"), LABELS, broken)));
        }
        for (Future<CachedArtifact> result : results) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
            ArtifactBuildException failure = assertInstanceOf(ArtifactBuildException.class, e.getCause());
            assertTrue(failure.getMessage().contains("mksquashfs: disk full"), failure.getMessage());
            assertInstanceOf(IOException.class, failure.getCause());
        }
        assertEquals(1, calls.get());
        assertEquals(1.0, count(ArtifactBuilds.BUILD_FAILED));
        assertEquals(0.0, count(ArtifactBuilds.BUILT));
        for (Path workDir : workDirs) {
            assertFalse(Files.exists(workDir));
        }

        CachedArtifact retried = builds.getOrBuild(key("f"), LABELS, workDir -> write(workDir, "fixed"));
        assertEquals("fixed", Files.readString(retried.file()));
        assertEquals(0, workDirsLeft());
    }

    @Test
    void clientErrorsFromTheActionPropagateAsTheyAre() {
        ArtifactBuilds builds = builds(2, LONG);
        InvalidInputException invalid = new InvalidInputException("overlay needs Talos 1.7 or later");
        assertSame(invalid, assertThrows(InvalidInputException.class,
                () -> builds.getOrBuild(key("i"), LABELS, workDir -> {
                    throw invalid;
                })));
        NotFoundException notFound = new NotFoundException("extension not found");
        assertSame(notFound, assertThrows(NotFoundException.class,
                () -> builds.getOrBuild(key("n"), LABELS, workDir -> {
                    throw notFound;
                })));
        assertEquals(2.0, count(ArtifactBuilds.BUILD_FAILED));
    }

    @Test
    void theProducedFileMustBeARegularFileInsideTheWorkDir() throws Exception {
        ArtifactBuilds builds = builds(2, LONG);
        Path outside = Files.writeString(dir.resolve("outside"), "x");
        ArtifactBuildException e = assertThrows(ArtifactBuildException.class,
                () -> builds.getOrBuild(key("o"), LABELS, workDir -> outside));
        assertTrue(e.getMessage().contains("inside its work directory"), e.getMessage());
        assertTrue(Files.exists(outside), "files outside the work directory are not touched");
        assertThrows(ArtifactBuildException.class, () -> builds.getOrBuild(key("o"), LABELS, workDir -> null));
        assertThrows(ArtifactBuildException.class, () -> builds.getOrBuild(key("o"), LABELS, workDir -> workDir));
        assertThrows(ArtifactBuildException.class, () -> builds.getOrBuild(key("o"), LABELS,
                workDir -> Files.createSymbolicLink(workDir.resolve("link"), outside)));
        assertEquals(0, workDirsLeft());
    }

    @Test
    void workDirsWithReadOnlyTreesAreDeletedToo() throws Exception {
        ArtifactBuilds builds = builds(2, LONG);
        AtomicReference<Path> usedWorkDir = new AtomicReference<>();
        builds.getOrBuild(key("ro"), LABELS, workDir -> {
            usedWorkDir.set(workDir);
            Path tree = Files.createDirectories(workDir.resolve("rootfs/lib/modules"));
            Files.writeString(tree.resolve("a.ko"), "module");
            tree.toFile().setWritable(false);
            workDir.resolve("rootfs/lib").toFile().setWritable(false);
            return write(workDir, "ok");
        });
        assertFalse(Files.exists(usedWorkDir.get()));
    }

    @Test
    void nestedIntermediateBuildsDoNotDeadlockWithOneSlot() throws Exception {
        ArtifactBuilds builds = builds(1, LONG);
        AtomicInteger intermediateCalls = new AtomicInteger();
        BuildAction parent = workDir -> {
            StringBuilder combined = new StringBuilder();
            for (String ext : List.of("gvisor", "iscsi-tools", "gvisor")) {
                CachedArtifact squashfs = builds.getOrBuildIntermediate(key("squashfs-" + ext), "extension-squashfs",
                        LABELS, inner -> {
                            intermediateCalls.incrementAndGet();
                            // an intermediate of an intermediate
                            CachedArtifact manifest = builds.getOrBuildIntermediate(key("manifest-" + ext),
                                    "extension-manifest", LABELS, deeper -> write(deeper, "manifest of " + ext));
                            return write(inner, "squashfs(" + Files.readString(manifest.file()) + ")");
                        });
                combined.append(Files.readString(squashfs.file())).append(';');
            }
            return write(workDir, combined.toString());
        };
        CachedArtifact result = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> builds.getOrBuild(key("installer"), LABELS, parent));
        assertEquals("squashfs(manifest of gvisor);squashfs(manifest of iscsi-tools);squashfs(manifest of gvisor);",
                readString(result));
        assertEquals(2, intermediateCalls.get(), "the second gvisor comes from the cache");
        assertEquals(1.0, registry.get(ArtifactBuilds.DELIVERED_CACHED).tags("output_kind", "extension-squashfs").counter().count());
        assertEquals(2.0, registry.get(ArtifactBuilds.BUILT).tags("output_kind", "extension-squashfs",
                "talos_version", "v1.11.0", "arch", "amd64").counter().count());
    }

    @Test
    void aBuildWaitingForAQueuedFlightLetsItRunUnderItsOwnSlot() throws Exception {
        ArtifactBuilds builds = builds(1, LONG);
        CountDownLatch parentStarted = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicInteger sharedCalls = new AtomicInteger();
        BuildAction shared = workDir -> {
            sharedCalls.incrementAndGet();
            return write(workDir, "shared part");
        };
        BuildAction parent = workDir -> {
            parentStarted.countDown();
            assertTrue(proceed.await(10, TimeUnit.SECONDS));
            // This flight was started by a request and queued behind us for the only slot.
            CachedArtifact part = builds.getOrBuild(key("part"), LABELS.intermediate("part"), shared);
            return write(workDir, "parent of " + Files.readString(part.file()));
        };
        CompletableFuture<CachedArtifact> parentResult = builds.getOrBuildAsync(key("parent"), LABELS, parent);
        assertTrue(parentStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<CachedArtifact> requestForPart = builds.getOrBuildAsync(key("part"), LABELS.intermediate("part"), shared);
        proceed.countDown();

        assertEquals("parent of shared part", readString(parentResult.get(10, TimeUnit.SECONDS)));
        assertEquals("shared part", readString(requestForPart.get(10, TimeUnit.SECONDS)));
        assertEquals(1, sharedCalls.get());
        assertEquals(0, builds.slotsInUse());
    }

    @Test
    void aBuildThatNeedsItselfFailsInsteadOfWaitingForever() {
        ArtifactBuilds builds = builds(1, LONG);
        BuildAction[] selfish = new BuildAction[1];
        selfish[0] = workDir -> builds.getOrBuildIntermediate(key("loop"), "loop", LABELS, selfish[0]).file();
        ArtifactBuildException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ArtifactBuildException.class, () -> builds.getOrBuild(key("loop"), LABELS, selfish[0])));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getMessage().contains("depends on"), e.getMessage());
    }

    @Test
    void configurationIsChecked() {
        builds(1, LONG);
        assertThrows(IllegalArgumentException.class, () -> new ArtifactBuilds(cache, registry, 0, LONG));
        assertThrows(IllegalArgumentException.class, () -> new ArtifactBuilds(cache, registry, 1, Duration.ZERO));
        assertEquals("20m", ArtifactBuilds.human(Duration.ofMinutes(20)));
        assertEquals("1h", ArtifactBuilds.human(Duration.ofHours(1)));
        assertEquals("90s", ArtifactBuilds.human(Duration.ofSeconds(90)));
        assertEquals("1500ms", ArtifactBuilds.human(Duration.ofMillis(1500)));
    }

    @Test
    void theBuiltArtifactHasTheRightBytes() throws Exception {
        ArtifactBuilds builds = builds(1, LONG);
        byte[] data = new byte[1 << 20];
        new java.util.Random(7).nextBytes(data);
        CachedArtifact artifact = builds.getOrBuild(key("bytes"), LABELS, workDir -> Files.write(workDir.resolve("x.raw"), data));
        assertArrayEquals(data, Files.readAllBytes(artifact.file()));
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data)),
                artifact.sha256());
    }

    private static String readString(CachedArtifact artifact) throws IOException {
        return new String(Files.readAllBytes(artifact.file()), StandardCharsets.UTF_8);
    }
}
