package dev.imagefactory.build;

import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.model.BuildLabels;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The builds as resources: every build the scheduler runs (outputs and intermediates) gets an ID when it is first
 * asked for, and requests for the same plan while it runs join it (one build, one ID, like the scheduler's single
 * flight). Fed by {@link PlanScheduler} (opening and ending builds) and the {@link BuildProgress} events of their
 * flights (running, steps). Finished builds stay listed for {@code factory.build.keep-finished}, at most
 * {@value #MAX_KEPT} builds in all (the oldest finished ones go first); kept in memory, per replica.
 */
@Singleton
public class BuildBoard {

    static final int MAX_KEPT = 1000;
    private static final SecureRandom IDS = new SecureRandom();

    private final Duration keepFinished;
    private final Clock clock;
    private final Function<CacheKey, Optional<Integer>> queuePositions;
    private final Map<String, TrackedBuild> byId = new LinkedHashMap<>(); // oldest first
    private final Map<String, TrackedBuild> active = new HashMap<>(); // by group (plan) key
    private final Map<String, CacheKey> keys = new HashMap<>(); // build ID -> plan key, for queue positions

    @Inject
    BuildBoard(FactoryConfig config, ArtifactBuilds builds) {
        this(config.build().keepFinished(), Clock.systemUTC(), builds::queuePosition);
    }

    BuildBoard(Duration keepFinished, Clock clock, Function<CacheKey, Optional<Integer>> queuePositions) {
        this.keepFinished = keepFinished;
        this.clock = clock;
        this.queuePositions = queuePositions;
    }

    /**
     * The running or queued build of {@code plan}, joined; or a new one, queued. Whoever opened it (not those who
     * joined it) ends it ({@link #finish}): only the opener's outcome is the build's own.
     */
    synchronized Opened open(BuildPlan plan, BuildSubject subject) {
        TrackedBuild joined = active.get(plan.key().hex());
        if (joined != null) {
            return new Opened(joined, false);
        }
        TrackedBuild build = add(plan.key().hex(), kindOf(plan), plan.labels(), subject, false);
        active.put(build.groupKey(), build);
        keys.put(build.id(), plan.key());
        return new Opened(build, true);
    }

    /** An opened build, and whether this call opened it (else it joined one under way). */
    public record Opened(TrackedBuild build, boolean opened) {
    }

    /**
     * A build that stands for several (e.g. an installer image of every architecture), joined by {@code groupKey}
     * while it runs; whoever opened it ends it ({@link #finish}).
     */
    public synchronized Opened openGroup(String groupKey, String kind, BuildLabels labels, BuildSubject subject) {
        TrackedBuild joined = active.get(groupKey);
        if (joined != null) {
            return new Opened(joined, false);
        }
        TrackedBuild build = add(groupKey, kind, labels, subject, false);
        active.put(groupKey, build);
        return new Opened(build, true);
    }

    /** A build that had nothing to do: the artifact was cached. Listed (succeeded, {@code cached}) like the others. */
    synchronized TrackedBuild cached(BuildPlan plan, BuildSubject subject) {
        return add(plan.key().hex(), kindOf(plan), plan.labels(), subject, true);
    }

    /** The build of {@code plan} now queued or running, if any. */
    public synchronized Optional<TrackedBuild> active(BuildPlan plan) {
        return Optional.ofNullable(active.get(plan.key().hex()));
    }

    /** What a flight told: running, a step's start or end (its end comes from {@link #finish}). */
    void record(BuildProgress.Event event) {
        TrackedBuild build;
        synchronized (this) {
            build = active.get(event.planKey());
        }
        if (build == null) {
            return;
        }
        switch (event.type()) {
            case STARTED -> build.running(event.at());
            case STEP_STARTED -> build.stepStarted(event.step().orElse(event.kind()), event.at());
            case STEP_ENDED -> build.stepEnded(event.step().orElse(event.kind()), event.at(), event.took(),
                    event.bytesWritten());
            default -> {
                // QUEUED: it was queued when opened; DONE, FAILED: ended by whoever opened it, with the outcome
            }
        }
    }

    /** How far a step of the build of {@code planKey} is (see {@link StepProgress#stepAdvanced}). */
    void advance(String planKey, String step, long done, long total) {
        TrackedBuild build;
        synchronized (this) {
            build = active.get(planKey);
        }
        if (build != null) {
            build.stepAdvanced(step, clock.instant(), done, total);
        }
    }

    /** Ends {@code build} (succeeded, or failed with {@code failure}'s text) and lets the next request open anew. */
    public void finish(TrackedBuild build, Optional<Throwable> failure) {
        synchronized (this) {
            active.remove(build.groupKey(), build);
        }
        build.finish(clock.instant(), failure.map(BuildBoard::text));
    }

    public synchronized Optional<TrackedBuild> get(String id) {
        prune();
        return Optional.ofNullable(byId.get(id));
    }

    /** Queued, running and recent builds, newest first, at most {@code limit}, optionally of one schematic. */
    public synchronized List<TrackedBuild> list(Optional<String> schematic, int limit) {
        prune();
        List<TrackedBuild> newestFirst = new ArrayList<>(byId.values());
        java.util.Collections.reverse(newestFirst);
        return newestFirst.stream()
                .filter(b -> schematic.isEmpty()
                        || (b.subject() != null && schematic.get().equals(b.subject().schematic())))
                .limit(limit).toList();
    }

    /** {@code build} as shown to clients, with its live queue position. */
    public BuildStatus status(TrackedBuild build) {
        CacheKey key;
        synchronized (this) {
            key = keys.get(build.id());
        }
        Integer position = key == null ? null : queuePositions.apply(key).orElse(null);
        return build.status(position);
    }

    private TrackedBuild add(String groupKey, String kind, BuildLabels labels, BuildSubject subject, boolean cached) {
        prune();
        byte[] random = new byte[8];
        IDS.nextBytes(random);
        TrackedBuild build = new TrackedBuild(HexFormat.of().formatHex(random), groupKey, kind, labels.arch(), subject,
                cached, clock.instant());
        byId.put(build.id(), build);
        return build;
    }

    private void prune() {
        Instant oldest = clock.instant().minus(keepFinished);
        int excess = byId.size() - MAX_KEPT + 1;
        for (Iterator<TrackedBuild> it = byId.values().iterator(); it.hasNext(); ) {
            TrackedBuild build = it.next();
            Optional<Instant> ended = build.endedAt();
            if (ended.isPresent() && (ended.get().isBefore(oldest) || excess > 0)) {
                it.remove();
                keys.remove(build.id());
                excess--;
            }
        }
    }

    private static String kindOf(BuildPlan plan) {
        return plan.intermediate() ? plan.kind().id() : plan.labels().outputKind();
    }

    private static String text(Throwable failure) {
        Throwable t = AsyncLeases.unwrap(failure);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
