package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** {@code kernel-<arch>}: the release's {@code vmlinuz} as it is (one entry per version and arch, any schematic). */
final class KernelStep {

    private static final String STEP_VERSION = "kernel-1";

    private final ReleaseFiles releaseFiles;
    private final ArtifactBuilds builds;

    KernelStep(ReleaseFiles releaseFiles, ArtifactBuilds builds) {
        this.releaseFiles = releaseFiles;
        this.builds = builds;
    }

    CompletableFuture<ArtifactLease> build(BuildRequest request) {
        Profile profile = request.profile();
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        CacheKey key = Keys.of(profile, STEP_VERSION, "input.kernel=" + kernel.sha256());
        return builds.leaseAsync(key, Keys.labels(profile), work -> {
            Path out = work.resolve("vmlinuz");
            Files.copy(kernel.path(), out);
            return out;
        });
    }
}
