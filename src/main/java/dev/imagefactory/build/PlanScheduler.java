package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
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
 * {@link Step} runs with their local files. Waiting holds no thread. Progress goes to {@link BuildProgress}.
 */
@Singleton
public class PlanScheduler {

    private final ArtifactBuilds builds;
    private final Map<StepKind, Step> steps = new EnumMap<>(StepKind.class);
    private final BuildProgress progress;

    @Inject
    public PlanScheduler(ArtifactBuilds builds, @All List<Step> steps, BuildProgress progress) {
        this.builds = builds;
        this.progress = progress;
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
        Step step = steps.get(plan.kind());
        if (step == null) {
            throw new IllegalStateException("no step builds " + plan.kind().id());
        }
        boolean shared = !plan.intermediate();
        Optional<ArtifactLease> cached = builds.leaseIfCached(plan.key(), plan.labels(), shared);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(step.served(cached.get()));
        }
        List<CompletableFuture<ArtifactLease>> needed = plan.needs().stream().map(this::lease).toList();
        // the needed artifacts stay leased (here, and by the build for its own run) until the plan's future is done
        return AsyncLeases.all(needed).thenCompose(leases -> AsyncLeases.holding(leases,
                () -> builds.leaseAsync(plan.key(), plan.labels(), shared, new Events(plan),
                        work -> run(step, plan, leases, work)))).thenApply(step::served);
    }

    private BuildOutput run(Step step, BuildPlan plan, List<ArtifactLease> leases, Path work) throws Exception {
        try (HeldLeases held = new HeldLeases()) {
            Map<BuildPlan, Path> files = new HashMap<>();
            for (int i = 0; i < leases.size(); i++) {
                files.put(plan.needs().get(i), held.file(builds.localFile(leases.get(i).artifact())));
            }
            StepProgress steps = new Steps(plan);
            steps.stepStarted(plan.kind().id());
            BuildOutput output = step.build(plan, new NeededFiles(files), work, steps);
            steps.stepEnded(plan.kind().id(), Files.size(output.file()));
            return output;
        }
    }

    private void record(BuildPlan plan, BuildProgress.Type type, Optional<String> step, Duration took, long bytes,
            Optional<String> error) {
        progress.record(new BuildProgress.Event(Instant.now(), plan.key().hex(), plan.labels().outputKind(), type,
                step, took, bytes, error));
    }

    /** The build's own events, as {@link ArtifactBuilds} tells them. */
    private final class Events implements BuildEvents {
        private final BuildPlan plan;

        Events(BuildPlan plan) {
            this.plan = plan;
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
    }
}
