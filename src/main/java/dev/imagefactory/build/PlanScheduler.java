package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CachedArtifact;
import io.quarkus.arc.All;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs plans: a plan whose artifact is cached is leased at once (its needs are not even looked at); otherwise each
 * plan it needs is found or built first (once: single flight on the plan key, through {@link ArtifactBuilds}, which
 * also gives slots, the timeout and the metrics), kept leased while the dependent plan runs, then the plan's
 * {@link Step} runs with their local files. Waiting holds no thread. Progress goes to {@link BuildProgress}, and each
 * plan that is not cached is a tracked build on the {@link BuildBoard}, opened (or joined) before its needs are asked
 * for, so a build is visible from the moment it is wanted.
 */
@Singleton
public class PlanScheduler {

    private final ArtifactBuilds builds;
    private final Map<StepKind, Step> steps = new EnumMap<>(StepKind.class);
    private final BuildProgress progress;
    private final BuildBoard board;

    @Inject
    public PlanScheduler(ArtifactBuilds builds, @All List<Step> steps, BuildProgress progress, BuildBoard board) {
        this.builds = builds;
        this.progress = progress;
        this.board = board;
        for (Step step : steps) {
            if (this.steps.put(step.kind(), step) != null) {
                throw new IllegalStateException("two steps build " + step.kind().id());
            }
        }
    }

    /**
     * The artifact of {@code plan}, from the cache or built, leased: whoever takes the future's value closes it. The
     * future fails with what the build (or a needed build) failed with.
     */
    public CompletableFuture<ArtifactLease> lease(BuildPlan plan) {
        return lease(plan, null);
    }

    /** {@link #lease(BuildPlan)}, the build (if one is needed) tracked as making {@code subject}. */
    public CompletableFuture<ArtifactLease> lease(BuildPlan plan, BuildSubject subject) {
        return start(plan, subject).lease();
    }

    /**
     * A plan asked for: its artifact's lease to come, and the tracked build that makes it (empty when the artifact
     * was cached). The build is opened (or joined) before any of its needs is asked for.
     */
    public record Started(CompletableFuture<ArtifactLease> lease, Optional<TrackedBuild> build) {
    }

    /** Whether {@code plan}'s artifact is cached now (looked up, not counted as delivered). */
    public boolean isCached(BuildPlan plan) {
        return builds.isCached(plan.key(), !plan.intermediate());
    }

    /** {@link #lease(BuildPlan, BuildSubject)}, telling which tracked build makes the artifact. */
    public Started start(BuildPlan plan, BuildSubject subject) {
        Step step = steps.get(plan.kind());
        if (step == null) {
            throw new IllegalStateException("no step builds " + plan.kind().id());
        }
        boolean shared = !plan.intermediate();
        Optional<ArtifactLease> cached = builds.leaseIfCached(plan.key(), plan.labels(), shared);
        if (cached.isPresent()) {
            return new Started(CompletableFuture.completedFuture(step.served(cached.get())), Optional.empty());
        }
        BuildBoard.Opened opened = board.open(plan, subject);
        TrackedBuild build = opened.build();
        BuildSubject needSubject = subject == null ? null : subject.intermediate();
        List<Started> started;
        try {
            started = plan.needs().stream().map(need -> start(need, needSubject)).toList();
        } catch (RuntimeException | Error e) {
            if (opened.opened()) {
                board.finish(build, Optional.of(e));
            }
            throw e;
        }
        build.needs(started.stream().flatMap(s -> s.build().stream()).map(TrackedBuild::id).toList());
        List<CompletableFuture<ArtifactLease>> needed = started.stream().map(Started::lease).toList();
        // the needed artifacts stay leased (here, and by the build for its own run) until the plan's future is done
        CompletableFuture<ArtifactLease> lease = AsyncLeases.all(needed).thenCompose(leases -> AsyncLeases.holding(
                leases, () -> builds.leaseAsync(plan.key(), plan.labels(), shared, new Events(plan, build.id()),
                        work -> run(step, plan, leases, work)))).thenApply(step::served);
        if (opened.opened()) {
            // ended by its opener, whatever way it went: built, found published meanwhile, or a needed build failed
            lease.whenComplete((artifact, failure) -> board.finish(build, Optional.ofNullable(failure)));
        }
        return new Started(lease, Optional.of(build));
    }

    private BuildOutput run(Step step, BuildPlan plan, List<ArtifactLease> leases, Path work) throws Exception {
        try (HeldLeases held = new HeldLeases()) {
            Map<BuildPlan, Path> files = new HashMap<>();
            Map<BuildPlan, String> sha256s = new HashMap<>();
            for (int i = 0; i < leases.size(); i++) {
                CachedArtifact artifact = leases.get(i).artifact();
                files.put(plan.needs().get(i), held.file(builds.localFile(artifact)));
                if (artifact.sha256Known()) {
                    sha256s.put(plan.needs().get(i), artifact.sha256());
                }
            }
            StepProgress steps = new Steps(plan);
            steps.stepStarted(plan.kind().id());
            BuildOutput output = step.build(plan, new NeededFiles(files, sha256s), work, steps);
            steps.stepEnded(plan.kind().id(), Files.size(output.file()));
            return output;
        }
    }

    private void record(BuildPlan plan, BuildProgress.Type type, Optional<String> step, Duration took, long bytes,
            Optional<String> error) {
        BuildProgress.Event event = new BuildProgress.Event(Instant.now(), plan.key().hex(),
                plan.labels().outputKind(), type, step, took, bytes, error);
        progress.record(event);
        board.record(event);
    }

    /** The build's own events, as {@link ArtifactBuilds} tells them. */
    private final class Events implements BuildEvents {
        private final BuildPlan plan;
        private final String buildId;

        Events(BuildPlan plan, String buildId) {
            this.plan = plan;
            this.buildId = buildId;
        }

        @Override
        public String buildId() {
            return buildId;
        }

        @Override
        public void queued() {
            record(plan, BuildProgress.Type.QUEUED, Optional.empty(), Duration.ZERO, 0, Optional.empty());
        }

        @Override
        public void started() {
            record(plan, BuildProgress.Type.STARTED, Optional.empty(), Duration.ZERO, 0, Optional.empty());
        }

        @Override
        public void done(long bytes, Duration took) {
            record(plan, BuildProgress.Type.DONE, Optional.empty(), took, bytes, Optional.empty());
        }

        @Override
        public void failed(Throwable error) {
            record(plan, BuildProgress.Type.FAILED, Optional.empty(), Duration.ZERO, 0,
                    Optional.of(String.valueOf(error.getMessage())));
        }
    }

    /** The steps of one running build, timed. */
    private final class Steps implements StepProgress {
        private final BuildPlan plan;
        private final Map<String, Long> started = new HashMap<>();

        Steps(BuildPlan plan) {
            this.plan = plan;
        }

        @Override
        public synchronized void stepStarted(String step) {
            started.put(step, System.nanoTime());
            record(plan, BuildProgress.Type.STEP_STARTED, Optional.of(step), Duration.ZERO, 0, Optional.empty());
        }

        @Override
        public synchronized void stepEnded(String step, long bytesWritten) {
            Long since = started.remove(step);
            Duration took = since == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
            record(plan, BuildProgress.Type.STEP_ENDED, Optional.of(step), took, bytesWritten, Optional.empty());
        }

        @Override
        public void stepAdvanced(String step, long done, long total) {
            board.advance(plan.key().hex(), step, done, total); // the board keeps whole percentages only
        }
    }
}
