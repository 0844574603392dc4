package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;

import dev.imagefactory.catalog.BootFile;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code kernel-<arch>}: the release's {@code vmlinuz} as it is (one entry per kernel file, any schematic). */
@Singleton
class KernelStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "kernel-1";

    /** The kernel is the release's file: nothing else determines its bytes. */
    record Inputs(ReleaseInput kernel) {
    }

    private final ReleaseFiles releaseFiles;

    @Inject
    KernelStep(ReleaseFiles releaseFiles) {
        this.releaseFiles = releaseFiles;
    }

    @Override
    public StepKind kind() {
        return StepKind.KERNEL;
    }

    @Override
    public OutputKind output() {
        return OutputKind.KERNEL;
    }

    @Override
    public BuildPlan plan(BuildRequest request) {
        Profile profile = request.profile();
        return BuildPlan.output(kind(), BUILDER_VERSION,
                new Inputs(releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL)), profile.labels());
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception {
        Path out = workDir.resolve("vmlinuz");
        Files.copy(plan.inputs(Inputs.class).kernel().path(), out);
        return out;
    }
}
