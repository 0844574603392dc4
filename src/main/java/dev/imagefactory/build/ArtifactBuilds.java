package dev.imagefactory.build;

import dev.imagefactory.content.DaemonThreads;
import dev.imagefactory.errors.ArtifactBuildException;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.BuildClaim;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.errors.BuildQueueFullException;
import dev.imagefactory.errors.BuildTimeoutException;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.LocalStorageException;
import dev.imagefactory.errors.LocalStorageFaults;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.errors.PayloadTooLargeException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.content.FileTrees;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Gets an artifact from the cache or builds it, once: the orchestration of reference §5.2.
 *
 * <ul>
 * <li><b>Cache first.</b> A hit is returned at once (metric {@code image_factory_assets_delivered_cached_total}).</li>
 * <li><b>Single flight.</b> Concurrent requests for the same key share one build; a later request after the build
 * finished finds the artifact in the cache. Failures are not remembered: the next request builds again.</li>
 * <li><b>Detached.</b> Builds run on their own threads. A waiting caller that is interrupted or stops waiting (e.g.
 * a timeout on the future of {@link #getOrBuildAsync}) does not affect the build, which still publishes.</li>
 * <li><b>Bounded.</b> At most {@code factory.build.max-concurrency} builds run at once, admitted first come, first
 * served; time spent queueing is {@code image_factory_assets_concurrency_latency_seconds}.</li>
 * <li><b>Bounded waiting.</b> Requests go through {@link #admitted}: at most {@code factory.build.max-waiting} of
 * them wait for builds at once (gauge {@code image_factory_build_waiting_requests}). Beyond it a request is still
 * served from the cache, but its first cache miss fails at once with {@link BuildQueueFullException} and starts
 * nothing. Waiting is cheap otherwise: {@link #getOrBuildAsync} holds no thread of the caller.</li>
 * <li><b>Timed out.</b> A build action running longer than {@code factory.build.timeout} (counted from when it got
 * its slot, so queueing under load does not eat into it) is interrupted and its waiters fail with
 * {@link BuildTimeoutException}, as soon as the action stops or at the latest after a grace period (min(timeout,
 * 30 s)) if it ignores the interrupt. A timed-out build never publishes. Its slot is held until the action has
 * really stopped, so the limit counts running work honestly.</li>
 * <li><b>Clean.</b> The work directory is removed whatever happens, before the waiters are told the outcome: after
 * a failure it is deleted, after a success it is handed to {@link ArtifactCache#discardWorkDir}, which may free its
 * space in the background.</li>
 * <li><b>Errors.</b> {@link InvalidInputException}, {@link NotFoundException} and the project's other refusals
 * ({@code errors}) thrown by an action reach every waiter as they are (so the HTTP layer answers 4xx); a full, read-only or inaccessible local disk
 * (anywhere in the cause chain, tools' stderr included) becomes a {@link LocalStorageException} (503); anything else
 * becomes an {@link ArtifactBuildException} carrying the cause.</li>
 * </ul>
 *
 * <p><b>Nested builds</b> (an action that needs an intermediate product it did not get as a planned need calls
 * {@link #getOrBuildIntermediate} or {@link #getOrBuild} from inside its action): a slot is taken only by builds
 * started from outside any build (request threads). A build started from inside a build runs under its parent's
 * slot, and when a build joins an existing flight that is still queued for a slot, that flight is excused from
 * queueing (its waiter already holds a slot). So a chain of builds never waits for a slot it is itself holding,
 * and nesting cannot deadlock, even with {@code max-concurrency=1}. The price: nested products add CPU use beyond
 * the limit in proportion to their parent's fan-out. A build that (directly or through its descendants) asks for its
 * own key fails with {@link IllegalStateException} rather than waiting for itself.
 *
 * <p><b>Leased.</b> {@link #lease} and {@link #leaseIntermediate} hand the artifact out {@linkplain ArtifactLease
 * leased}, so a concurrent publish cannot evict it while the caller uses it; the caller closes the lease
 * (try-with-resources). Request code chains them without blocking through {@link #leaseAsync} and
 * {@link #leaseIntermediateAsync} (the lease is taken when the artifact is there and handed to the future; a future
 * nobody waits for any more gets nothing, the lease is released at once) and {@link AsyncLeases} (prerequisites stay
 * leased until the dependent build's future is complete). A build action that uses an input's file leases it itself
 * for its own duration ({@link #localFile}), so an input stays even when the request that asked for the build stops
 * waiting. Should the artifact be evicted between its publish (or lookup) and the lease, it is looked up or built
 * again, a few times.
 */
public class ArtifactBuilds {

    private static final Logger LOG = Logger.getLogger(ArtifactBuilds.class);
    private static final Duration MAX_GRACE = Duration.ofSeconds(30);
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(180), Duration.ofSeconds(600)
    };
    static final String DELIVERED_CACHED = "image_factory_assets_delivered_cached_total";
    static final String BUILT = "image_factory_assets_built_total";
    static final String BUILT_BYTES = "image_factory_assets_built_bytes_total";
    static final String CACHED_BYTES = "image_factory_assets_cached_bytes_total";
    static final String BUILD_FAILED = "image_factory_assets_build_failed_total";
    static final String CACHE_HITS = "image_factory_asset_cache_hits_total";
    static final String CACHE_MISSES = "image_factory_asset_cache_misses_total";
    static final String BUILD_LATENCY = "image_factory_assets_build_latency";
    static final String CONCURRENCY_LATENCY = "image_factory_assets_concurrency_latency";
    static final String WAITING = "image_factory_build_waiting_requests";

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int PUBLISHING = 2;
    private static final int TIMED_OUT = 3;
    /** Tries to lease what was built or found: each failure means it was evicted in the instant before the lease. */
    private static final int LEASE_ATTEMPTS = 3;

    /** The flight whose action this thread is running; null on threads that are not building. */
    private static final ThreadLocal<Flight> CURRENT = new ThreadLocal<>();
    /** Set while a request that was not admitted (too many waiting) looks up what it needs: misses fail. */
    private static final ThreadLocal<Boolean> CACHE_ONLY = new ThreadLocal<>();

    private final ArtifactCache cache;
    private final MeterRegistry registry;
    private final BuildSlots slots;
    private final Duration timeout;
    private final Duration grace;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();

    /** One build of one key and everyone waiting for it. */
    private static final class Flight {
        final CacheKey key;
        final BuildLabels labels;
        final HoldingBuildAction action;
        final BuildEvents events;
        /** The flight whose action started this one (null when started from outside any build). */
        final Flight parent;
        final boolean slotted;
        /** A final artifact (shared between replicas) rather than an intermediate (local only). */
        final boolean shared;
        final BuildSlots.Ticket ticket = new BuildSlots.Ticket();
        final CompletableFuture<CachedArtifact> result = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(QUEUED);
        /** Set by whoever reports the outcome first (the build thread, or the timeout's grace period). */
        final AtomicBoolean reported = new AtomicBoolean();
        /** The thread running the action, while it runs; guarded by {@code this}. */
        Thread runner;

        Flight(CacheKey key, BuildLabels labels, HoldingBuildAction action, BuildEvents events, Flight parent,
                boolean shared) {
            this.key = key;
            this.labels = labels;
            this.action = action;
            this.events = events;
            this.parent = parent;
            this.slotted = parent == null;
            this.shared = shared;
        }

        boolean isOrDescendsFrom(CacheKey other) {
            for (Flight f = this; f != null; f = f.parent) {
                if (f.key.equals(other)) {
                    return true;
                }
            }
            return false;
        }

        String describe() {
            String id = events.buildId();
            return labels.outputKind() + " for Talos " + labels.talosVersion() + " " + labels.arch()
                    + " (key " + key.hex().substring(0, 12) + (id == null ? "" : ", build " + id) + ")";
        }
    }

    public ArtifactBuilds(ArtifactCache cache, MeterRegistry registry, int maxConcurrency, Duration timeout) {
        this(cache, registry, maxConcurrency, timeout, Integer.MAX_VALUE);
    }

    public ArtifactBuilds(ArtifactCache cache, MeterRegistry registry, int maxConcurrency, Duration timeout,
            int maxWaiting) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("factory.build.timeout must be positive, got " + timeout);
        }
        if (maxWaiting < 1) {
            throw new IllegalArgumentException("factory.build.max-waiting must be at least 1, got " + maxWaiting);
        }
        this.maxWaiting = maxWaiting;
        registry.gauge(WAITING, waiting);
        this.cache = Objects.requireNonNull(cache);
        this.registry = Objects.requireNonNull(registry);
        this.slots = new BuildSlots(maxConcurrency);
        this.timeout = timeout;
        this.grace = timeout.compareTo(MAX_GRACE) < 0 ? timeout : MAX_GRACE;
        this.executor = Executors.newCachedThreadPool(DaemonThreads.named("artifact-build-"));
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                DaemonThreads.named("artifact-build-timer-"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.timer = scheduler;
    }

    /**
     * The artifact under {@code key}, from the cache or built by {@code action} (shared with concurrent requests for
     * the same key). Blocks until it is there.
     *
     * @throws InvalidInputException or {@link NotFoundException} as thrown by the action
     * @throws BuildTimeoutException when the build exceeded {@code factory.build.timeout}
     * @throws ArtifactBuildException when the build failed otherwise, or this thread was interrupted while waiting
     *         (the interrupt flag is then set again; the build goes on)
     */
    public CachedArtifact getOrBuild(CacheKey key, BuildLabels labels, BuildAction action) {
        return await(getOrBuildAsync(key, labels, action, true), key, labels);
    }

    private static <T> T await(CompletableFuture<T> future, CacheKey key, BuildLabels labels) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactBuildException("interrupted while waiting for the build of " + labels.outputKind()
                    + " (key " + key.hex().substring(0, 12) + "); the build continues");
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /**
     * Runs a request's {@code chain} of {@link #getOrBuildAsync} calls as one waiting request: counted until its
     * future completes. With {@code factory.build.max-waiting} requests already waiting, the chain runs in cache-only
     * mode instead: what is cached is served, and the first miss fails the future at once with
     * {@link BuildQueueFullException} (no build starts). A chain that throws is not counted.
     */
    public <T> CompletableFuture<T> admitted(Supplier<CompletableFuture<T>> chain) {
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            CACHE_ONLY.set(Boolean.TRUE);
            try {
                return chain.get();
            } finally {
                CACHE_ONLY.remove();
            }
        }
        CompletableFuture<T> result;
        try {
            result = chain.get();
        } catch (RuntimeException | Error e) {
            waiting.decrementAndGet();
            throw e;
        }
        result.whenComplete((value, failure) -> waiting.decrementAndGet());
        return result;
    }

    /** Requests currently waiting for builds ({@link #admitted}, bounded by {@code factory.build.max-waiting}). */
    public int waitingRequests() {
        return waiting.get();
    }

    /**
     * Like {@link #getOrBuild} without blocking. The future is the caller's own: cancelling it or giving up on it
     * does not cancel the shared build.
     */
    public CompletableFuture<CachedArtifact> getOrBuildAsync(CacheKey key, BuildLabels labels, BuildAction action) {
        return getOrBuildAsync(key, labels, action, true);
    }

    /** Like {@link #getOrBuildIntermediate} without blocking, for request code that chains builds. */
    public CompletableFuture<CachedArtifact> getOrBuildIntermediateAsync(CacheKey key, String intermediateKind,
            BuildLabels output, BuildAction action) {
        return getOrBuildAsync(key, output.intermediate(intermediateKind), action, false);
    }

    private CompletableFuture<CachedArtifact> getOrBuildAsync(CacheKey key, BuildLabels labels, BuildAction action,
            boolean shared) {
        return getOrBuildAsync(key, labels, action, BuildEvents.NONE, shared);
    }

    private CompletableFuture<CachedArtifact> getOrBuildAsync(CacheKey key, BuildLabels labels, BuildAction action,
            BuildEvents events, boolean shared) {
        Objects.requireNonNull(action, "action");
        return getOrBuildHoldingAsync(key, labels, work -> BuildOutput.of(action.build(work)), events, shared);
    }

    private CompletableFuture<CachedArtifact> getOrBuildHoldingAsync(CacheKey key, BuildLabels labels,
            HoldingBuildAction action, BuildEvents events, boolean shared) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(action, "action");
        Flight current = CURRENT.get();
        if (current != null && current.isOrDescendsFrom(key)) {
            throw new IllegalStateException("the build of " + current.describe() + " depends on " + key + " itself");
        }
        Optional<CachedArtifact> hit = shared ? cache.lookup(key) : cache.lookupLocal(key);
        if (hit.isPresent()) {
            counter(DELIVERED_CACHED, labels).increment();
            counter(CACHE_HITS, labels).increment();
            counter(CACHED_BYTES, labels).increment(hit.get().size());
            return CompletableFuture.completedFuture(hit.get());
        }
        counter(CACHE_MISSES, labels).increment();
        if (current == null && CACHE_ONLY.get() != null) {
            return CompletableFuture.failedFuture(new BuildQueueFullException("too many requests are waiting for "
                    + "builds (factory.build.max-waiting=" + maxWaiting + "), retry later"));
        }
        Flight flight = new Flight(key, labels, action, events, current, shared);
        Flight existing = flights.putIfAbsent(key, flight);
        if (existing != null) {
            if (current != null) {
                // A build waits for it: if it is still queued for a slot, let it run under ours.
                slots.excuse(existing.ticket);
            }
            return existing.result.copy();
        }
        if (flight.slotted) {
            slots.reserve(flight.ticket); // its place in the queue is taken now: builds start in the order asked for
        }
        events.queued();
        try {
            executor.execute(() -> run(flight));
        } catch (RejectedExecutionException e) {
            slots.withdraw(flight.ticket);
            complete(flight, null, new ArtifactBuildException("builds are no longer accepted: the service is shutting down"));
        }
        return flight.result.copy();
    }

    /**
     * For an intermediate product needed by the build of an output: the same cache,
     * single flight and timeout, counted under {@code output_kind=<intermediateKind>} with the output's version and
     * arch, kept on local disk only (its {@link CachedArtifact#file()} is always there). Called from inside a build
     * action it runs under that build's slot (see the class comment).
     */
    public CachedArtifact getOrBuildIntermediate(CacheKey key, String intermediateKind, BuildLabels output,
            BuildAction action) {
        BuildLabels labels = output.intermediate(intermediateKind);
        return await(getOrBuildAsync(key, labels, action, false), key, labels);
    }

    /** {@link #getOrBuild}, leased: the artifact stays in the cache until the lease is closed. */
    public ArtifactLease lease(CacheKey key, BuildLabels labels, BuildAction action) {
        return leased(key, labels, () -> getOrBuildAsync(key, labels, action, true));
    }

    /** {@link #getOrBuildIntermediate}, leased: its file stays in place until the lease is closed. */
    public ArtifactLease leaseIntermediate(CacheKey key, String intermediateKind, BuildLabels output,
            BuildAction action) {
        BuildLabels labels = output.intermediate(intermediateKind);
        return leased(key, labels, () -> getOrBuildAsync(key, labels, action, false));
    }

    /**
     * {@link #lease} without blocking: the future completes with the artifact leased. Whoever takes the future owns
     * the lease; if the future is already complete when the artifact arrives (the caller cancelled it or gave up on
     * it otherwise), the lease is released at once, so a build finishing after its waiter left pins nothing.
     */
    public CompletableFuture<ArtifactLease> leaseAsync(CacheKey key, BuildLabels labels, BuildAction action) {
        CompletableFuture<ArtifactLease> leased = new CompletableFuture<>();
        leaseWhenThere(leased, key, labels, () -> getOrBuildAsync(key, labels, action, true), 1);
        return leased;
    }

    /**
     * {@link #leaseAsync} of an artifact that holds others in the cache ({@link HoldingBuildAction}), e.g. an
     * installer image's record and the blobs it is made of.
     */
    public CompletableFuture<ArtifactLease> leaseHoldingAsync(CacheKey key, BuildLabels labels,
            HoldingBuildAction action) {
        Objects.requireNonNull(action, "action");
        CompletableFuture<ArtifactLease> leased = new CompletableFuture<>();
        leaseWhenThere(leased, key, labels, () -> getOrBuildHoldingAsync(key, labels, action, BuildEvents.NONE, true), 1);
        return leased;
    }

    /**
     * {@link #leaseHoldingAsync} for a final artifact ({@code shared}, kept in the shared store) or an intermediate
     * (local only), telling {@code events} what happens to the build it starts (nothing when it joins one or finds
     * the artifact cached).
     */
    public CompletableFuture<ArtifactLease> leaseAsync(CacheKey key, BuildLabels labels, boolean shared,
            BuildEvents events, HoldingBuildAction action) {
        Objects.requireNonNull(action, "action");
        CompletableFuture<ArtifactLease> leased = new CompletableFuture<>();
        leaseWhenThere(leased, key, labels, () -> getOrBuildHoldingAsync(key, labels, action, events, shared), 1);
        return leased;
    }

    /**
     * The artifact under {@code key} leased if it is cached now (counted as delivered from the cache), else empty
     * (counted as nothing: the caller goes on to {@link #leaseAsync}, which counts the miss).
     */
    public Optional<ArtifactLease> leaseIfCached(CacheKey key, BuildLabels labels, boolean shared) {
        Optional<CachedArtifact> hit = shared ? cache.lookup(key) : cache.lookupLocal(key);
        if (hit.isEmpty()) {
            return Optional.empty();
        }
        Optional<ArtifactLease> lease = cache.pin(hit.get());
        if (lease.isPresent()) {
            counter(DELIVERED_CACHED, labels).increment();
            counter(CACHE_HITS, labels).increment();
            counter(CACHED_BYTES, labels).increment(hit.get().size());
        }
        return lease;
    }

    /** Whether the artifact under {@code key} is cached now (not counted: nothing is delivered). */
    public boolean isCached(CacheKey key, boolean shared) {
        return (shared ? cache.lookup(key) : cache.lookupLocal(key)).isPresent();
    }

    /** {@link #leaseIntermediate} without blocking, with the ownership rules of {@link #leaseAsync}. */
    public CompletableFuture<ArtifactLease> leaseIntermediateAsync(CacheKey key, String intermediateKind,
            BuildLabels output, BuildAction action) {
        BuildLabels labels = output.intermediate(intermediateKind);
        CompletableFuture<ArtifactLease> leased = new CompletableFuture<>();
        leaseWhenThere(leased, key, labels, () -> getOrBuildAsync(key, labels, action, false), 1);
        return leased;
    }

    private void leaseWhenThere(CompletableFuture<ArtifactLease> leased, CacheKey key, BuildLabels labels,
            Supplier<CompletableFuture<CachedArtifact>> get, int attempt) {
        CompletableFuture<CachedArtifact> there;
        try {
            there = get.get();
        } catch (RuntimeException | Error e) {
            leased.completeExceptionally(e);
            return;
        }
        there.whenComplete((artifact, failure) -> {
            if (failure != null) {
                leased.completeExceptionally(AsyncLeases.unwrap(failure));
                return;
            }
            Optional<ArtifactLease> lease;
            try {
                lease = cache.pin(artifact);
            } catch (RuntimeException | Error e) {
                leased.completeExceptionally(e);
                return;
            }
            if (lease.isPresent()) {
                AsyncLeases.handOver(leased, lease.get());
            } else if (attempt == LEASE_ATTEMPTS) {
                leased.completeExceptionally(evictedTooOften(key, labels, attempt));
            } else if (!leased.isDone()) {
                LOG.infof("%s (key %s) was evicted before it could be used; getting it again", labels.outputKind(),
                        key.hex().substring(0, 12));
                leaseWhenThere(leased, key, labels, get, attempt + 1);
            }
        });
    }

    private static StorageUnavailableException evictedTooOften(CacheKey key, BuildLabels labels, int attempts) {
        return new StorageUnavailableException(labels.outputKind() + " (key " + key.hex().substring(0, 12)
                + ") was evicted " + attempts + " times before it could be used: the cache bound "
                + "(factory.cache.max-size) is too small for the builds running at once", null);
    }

    private ArtifactLease leased(CacheKey key, BuildLabels labels, Supplier<CompletableFuture<CachedArtifact>> get) {
        for (int attempt = 1; ; attempt++) {
            // Pinned in the completion callback, while the builder still holds the fresh artifact (see run), so a
            // concurrent publish cannot evict it between the build and this waiter waking up.
            CompletableFuture<Optional<ArtifactLease>> pinned = get.get().thenApply(cache::pin);
            Optional<ArtifactLease> lease;
            try {
                lease = await(pinned, key, labels);
            } catch (RuntimeException e) {
                pinned.thenAccept(late -> late.ifPresent(ArtifactLease::close)); // arriving after this waiter left
                throw e;
            }
            if (lease.isPresent()) {
                return lease.get();
            }
            if (attempt == LEASE_ATTEMPTS) {
                throw evictedTooOften(key, labels, attempt);
            }
            LOG.infof("%s (key %s) was evicted before it could be used; getting it again", labels.outputKind(),
                    key.hex().substring(0, 12));
        }
    }

    /**
     * A leased local file with the bytes of {@code artifact}, for a build step that needs a path (e.g. the
     * initramfs inside a UKI): the artifact's own file, or a checked copy of the shared object on local disk. The
     * caller holds {@code artifact} leased and closes the returned lease when the step is done with the file.
     */
    public ArtifactLease localFile(CachedArtifact artifact) {
        return cache.localFile(artifact);
    }

    /** Builds currently queued or running (distinct keys). */
    public int buildsInFlight() {
        return flights.size();
    }

    /**
     * Where the build of {@code key} stands in the queue for a build slot (1: next), empty when it is not waiting
     * for one (running, excused, nested, or not building at all).
     */
    public Optional<Integer> queuePosition(CacheKey key) {
        Flight flight = flights.get(key);
        if (flight == null || !flight.slotted || flight.state.get() != QUEUED) {
            return Optional.empty();
        }
        return slots.position(flight.ticket);
    }

    /** Slots currently held by running builds. */
    public int slotsInUse() {
        return slots.inUse();
    }

    /** Stops accepting builds, interrupts running ones and fails their waiters. */
    public void close() {
        executor.shutdownNow();
        timer.shutdownNow();
        for (Flight flight : flights.values()) {
            complete(flight, null, new ArtifactBuildException("the service is shutting down"));
        }
    }

    // ---- the build thread ----

    private void run(Flight flight) {
        CURRENT.set(flight);
        boolean slotTaken = false;
        BuildClaim claim = null;
        Path workDir = null;
        BuildOutput output = null;
        CachedArtifact artifact = null;
        // Held from publish until the waiters were told: their leases are taken in the completion callbacks, so a
        // concurrent publish cannot evict the fresh artifact before they have it.
        ArtifactLease published = null;
        Throwable failure = null;
        try {
            // A flight that finished just before this one was registered may have published already.
            Optional<CachedArtifact> hit = flight.shared ? cache.lookup(flight.key) : cache.lookupLocal(flight.key);
            if (hit.isPresent()) {
                artifact = hit.get();
                return;
            }
            if (flight.shared) {
                // Other replicas sharing the store: build only with the claim, else take what another one published.
                claim = cache.claim(flight.key, timeout.plus(grace));
                if (claim.publishedElsewhere().isPresent()) {
                    artifact = claim.publishedElsewhere().get();
                    return;
                }
            }
            if (flight.slotted) {
                long queued = System.nanoTime();
                slotTaken = slots.acquire(flight.ticket);
                latency(CONCURRENCY_LATENCY, "Time builds waited for a build slot", flight.labels)
                        .record(System.nanoTime() - queued, TimeUnit.NANOSECONDS);
            }
            long started = System.nanoTime();
            LOG.infof("building %s", flight.describe());
            Path produced;
            ScheduledFuture<?> deadline = null;
            try {
                synchronized (flight) {
                    flight.runner = Thread.currentThread();
                }
                flight.state.set(RUNNING);
                flight.events.started();
                deadline = timer.schedule(() -> onTimeout(flight), timeout.toNanos(), TimeUnit.NANOSECONDS);
                workDir = cache.newWorkDir(flight.labels.outputKind());
                output = flight.action.build(workDir);
                produced = output == null ? null : output.file();
            } finally {
                synchronized (flight) {
                    flight.runner = null; // from here on the timeout cannot interrupt this thread
                }
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            if (!flight.state.compareAndSet(RUNNING, PUBLISHING)) {
                throw timeoutFailure(flight);
            }
            checkProduced(produced, workDir, flight);
            published = flight.shared ? cache.publishPinned(flight.key, produced, output.holds())
                    : cache.publishLocalPinned(flight.key, produced);
            artifact = published.artifact();
            long nanos = System.nanoTime() - started;
            counter(BUILT, flight.labels).increment();
            counter(BUILT_BYTES, flight.labels).increment(artifact.size());
            latency(BUILD_LATENCY, "Time to build an asset (successful builds)", flight.labels)
                    .record(nanos, TimeUnit.NANOSECONDS);
            LOG.infof("built %s: %d bytes in %d ms", flight.describe(), artifact.size(), nanos / 1_000_000);
            flight.events.done(artifact.size(), Duration.ofNanos(nanos));
        } catch (Throwable t) {
            if (flight.state.get() == TIMED_OUT) {
                Thread.interrupted(); // the timeout's interrupt has done its job; let the cleanup run
                failure = timeoutFailure(flight);
            } else {
                failure = t;
            }
        } finally {
            if (output != null) {
                try {
                    output.leases().close(); // published (holding them) or failed: either way no longer needed
                } catch (Exception e) {
                    LOG.warnf("could not release the inputs held by %s: %s", flight.describe(), e.getMessage());
                }
            }
            if (workDir != null) {
                try {
                    if (failure == null) {
                        cache.discardWorkDir(workDir); // its space is freed beside the next step
                    } else {
                        FileTrees.deleteRecursively(workDir); // freed before the failure is told (disk full)
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.errorf(e, "could not delete work directory %s", workDir);
                }
            }
            if (slotTaken) {
                slots.release();
            } else {
                slots.withdraw(flight.ticket); // found cached, claimed elsewhere or failed before its turn
            }
            if (claim != null) {
                claim.close();
            }
            CURRENT.remove();
            complete(flight, artifact, failure);
            if (published != null) {
                published.close();
            }
        }
    }

    private static void checkProduced(Path produced, Path workDir, Flight flight) {
        if (produced == null) {
            throw new ArtifactBuildException("the build of " + flight.describe() + " produced no file");
        }
        Path file = produced.toAbsolutePath().normalize();
        if (!file.startsWith(workDir.toAbsolutePath().normalize()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArtifactBuildException("the build of " + flight.describe()
                    + " must produce a regular file inside its work directory, got " + produced);
        }
    }

    private void onTimeout(Flight flight) {
        if (!flight.state.compareAndSet(RUNNING, TIMED_OUT)) {
            return; // already publishing
        }
        LOG.errorf("the build of %s exceeded %s; interrupting it", flight.describe(), human(timeout));
        synchronized (flight) {
            if (flight.runner != null) {
                flight.runner.interrupt();
            }
        }
        try {
            timer.schedule(() -> {
                if (!flight.reported.get()) {
                    LOG.errorf("the build of %s ignores its interrupt; failing its requests now, its slot stays taken "
                            + "until it stops", flight.describe());
                    complete(flight, null, timeoutFailure(flight));
                }
            }, grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: close() fails the waiters
        }
    }

    private BuildTimeoutException timeoutFailure(Flight flight) {
        return new BuildTimeoutException("building " + flight.describe() + " timed out after " + human(timeout));
    }

    /**
     * Forgets the flight (so the next request starts afresh), records the outcome, then tells the waiters (so what
     * they observe afterwards, metrics included, is final). Only the first report counts.
     */
    private void complete(Flight flight, CachedArtifact artifact, Throwable failure) {
        flights.remove(flight.key, flight);
        if (!flight.reported.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            flight.result.complete(artifact);
            return;
        }
        RuntimeException error = asBuildError(flight, failure);
        counter(BUILD_FAILED, flight.labels).increment();
        flight.events.failed(error);
        if (isClientError(error)) {
            LOG.infof("the build of %s was refused: %s", flight.describe(), error.getMessage());
        } else if (error instanceof LocalStorageException local) {
            local.logOnce(LOG);
        } else if (error instanceof BuildTimeoutException || error instanceof StorageUnavailableException) {
            LOG.error(error.getMessage());
        } else {
            LOG.errorf(failure, "the build of %s failed", flight.describe());
        }
        flight.result.completeExceptionally(error);
    }

    private static boolean isClientError(Throwable t) {
        return t instanceof InvalidInputException || t instanceof NotFoundException
                || t instanceof NotImplementedYetException || t instanceof PayloadTooLargeException;
    }

    private static RuntimeException asBuildError(Flight flight, Throwable t) {
        if (isClientError(t) || t instanceof StorageUnavailableException
                || t instanceof dev.imagefactory.errors.UntrustedSourceImageException) {
            return (RuntimeException) t;
        }
        Optional<LocalStorageException> diskFault = LocalStorageFaults.of(t); // full, read-only: 503, not 500
        if (diskFault.isPresent()) {
            return diskFault.get();
        }
        if (t instanceof ArtifactBuildException) {
            return (RuntimeException) t;
        }
        if (t instanceof InterruptedException) {
            return new ArtifactBuildException("the build of " + flight.describe() + " was interrupted", t);
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return new ArtifactBuildException("building " + flight.describe() + " failed: " + message, t);
    }

    private static RuntimeException rethrowable(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new ArtifactBuildException(String.valueOf(cause.getMessage()), cause);
    }

    // ---- metrics ----

    private Counter counter(String name, BuildLabels labels) {
        return registry.counter(name, tags(labels));
    }

    private Timer latency(String name, String description, BuildLabels labels) {
        return Timer.builder(name)
                .description(description)
                .tags(tags(labels))
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    private static Tags tags(BuildLabels labels) {
        return Tags.of("talos_version", labels.talosVersion(), "output_kind", labels.outputKind(), "arch", labels.arch());
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (d.toNanos() % 1_000_000_000L != 0 || s == 0) {
            return d.toMillis() + "ms";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
