package dev.imagefactory.build;

import dev.imagefactory.model.BuildLabels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Starts builds ahead of their download ({@code POST /builds}, {@code Prefer: respond-async}): checks the request
 * exactly as the download would (same refusals), then starts or joins its build and hands back the tracked build
 * without waiting. A started build is a waiting request like a download ({@link ArtifactBuilds#admitted}); its
 * artifact's lease is released as soon as it is there.
 */
@ApplicationScoped
public class BuildStarter {

    /** The kind of a warm-up of the registry's installer image (every architecture and the index). */
    static final String INSTALLER = "installer";

    private final AssetService assets;
    private final PlanScheduler scheduler;
    private final ArtifactBuilds builds;
    private final BuildBoard board;
    private final InstallerWarmUp installers;

    @Inject
    BuildStarter(AssetService assets, PlanScheduler scheduler, ArtifactBuilds builds, BuildBoard board,
            InstallerWarmUp installers) {
        this.assets = assets;
        this.scheduler = scheduler;
        this.builds = builds;
        this.board = board;
        this.installers = installers;
    }

    /** One build asked for: an asset path of the reference's grammar, or an installer image name, of a schematic and version. */
    public record Wanted(String schematic, String version, String path) {
    }

    /**
     * Checks every wanted build first, as its download (or pull) would, so nothing starts when one is refused; then
     * starts or joins them, in order.
     */
    public List<TrackedBuild> start(List<Wanted> wanted) {
        List<Runnable> checkedStarts = new ArrayList<>();
        List<TrackedBuild> started = new ArrayList<>();
        for (Wanted want : wanted) {
            String schematic = want.schematic();
            String version = want.version();
            String raw = want.path();
            if (installers.names(raw)) {
                // the pull's checks, in the reference's order: schematic, version, then each architecture's asset
                assets.request(schematic, version, AssetPath.parse("kernel-amd64"));
                for (AssetPath part : installers.parts(raw, schematic, version)) {
                    assets.plan(assets.request(schematic, version, part));
                }
                checkedStarts.add(() -> started.add(warmInstaller(raw, schematic, version)));
            } else {
                AssetPath path = assets.parsePath(schematic, raw, AssetPath::parse); // a download's precedence
                BuildRequest request = assets.request(schematic, version, path);
                BuildPlan plan = assets.plan(request);
                checkedStarts.add(() -> started.add(start(plan, AssetService.subject(request, path))));
            }
        }
        checkedStarts.forEach(Runnable::run);
        return started;
    }

    /**
     * For a download that prefers not to wait: the tracked build of its asset once started (or joined), or empty
     * when the asset is cached (nothing is started or counted; the download serves it).
     */
    public Optional<TrackedBuild> startIfCold(String schematic, String version, AssetPath path) {
        BuildRequest request = assets.request(schematic, version, path);
        BuildPlan plan = assets.plan(request);
        if (scheduler.isCached(plan)) {
            return Optional.empty();
        }
        return Optional.of(start(plan, AssetService.subject(request, path)));
    }

    private TrackedBuild start(BuildPlan plan, BuildSubject subject) {
        PlanScheduler.Started[] started = new PlanScheduler.Started[1];
        CompletableFuture<dev.imagefactory.cache.ArtifactLease> lease = builds.admitted(() -> {
            started[0] = scheduler.start(plan, subject);
            return started[0].lease();
        });
        lease.thenAccept(AsyncLeases::release);
        Optional<TrackedBuild> build = started[0].build();
        return build.orElseGet(() -> board.cached(plan, subject));
    }

    private TrackedBuild warmInstaller(String image, String schematic, String version) {
        String tag = version.startsWith("v") ? version : "v" + version;
        BuildSubject subject = new BuildSubject(schematic, tag, image);
        BuildBoard.Opened opened = board.openGroup(image + "/" + schematic + ":" + tag, INSTALLER,
                new BuildLabels(INSTALLER, tag, "multi"), subject);
        TrackedBuild build = opened.build();
        if (!opened.opened()) {
            return build; // joined: already under way
        }
        CompletableFuture<Void> warmed;
        List<String> parts = new ArrayList<>();
        try {
            warmed = builds.admitted(() -> installers.warm(image, schematic, version));
            for (AssetPath part : installers.parts(image, schematic, version)) {
                board.active(assets.plan(assets.request(schematic, version, part))).ifPresent(b -> parts.add(b.id()));
            }
        } catch (RuntimeException | Error e) {
            board.finish(build, Optional.of(e));
            throw e;
        }
        build.needs(parts);
        build.running(java.time.Instant.now());
        warmed.whenComplete((done, failure) -> board.finish(build, Optional.ofNullable(failure)));
        return build;
    }
}
