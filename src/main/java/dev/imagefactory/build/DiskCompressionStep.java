package dev.imagefactory.build;

import dev.imagefactory.build.disk.Compressions;
import dev.imagefactory.build.disk.DiskFormats;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A disk image compressed for download (talos-imager.md §6.6); always what the URL names. Its input is a wrapped
 * image (qcow2, vhd, ova) or the raw image plan's compact intermediate, expanded first.
 */
@Singleton
class DiskCompressionStep implements FileStep {

    private static final String BUILDER_VERSION = "disk-compression-1";

    record Inputs(BuildPlan image, OutputCompression compression) {
    }

    private final ProcessRunner runner;

    @Inject
    DiskCompressionStep(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public StepKind kind() {
        return StepKind.DISK_COMPRESSION;
    }

    BuildPlan plan(BuildPlan image, OutputCompression compression, BuildLabels labels) {
        return BuildPlan.output(kind(), BUILDER_VERSION, new Inputs(image, compression), labels);
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        Path image = needs.file(in.image());
        if (in.image().kind() == StepKind.DISK_IMAGE) {
            image = work.resolve("disk.raw");
            DiskFormats.expand(runner, needs.file(in.image()), image);
        }
        Path out = work.resolve("disk" + in.compression().suffix());
        Compressions.compress(runner, image, in.compression(), out, Files.createDirectories(work.resolve("scratch")),
                (done, total) -> progress.stepAdvanced(kind().id(), done, total));
        return out;
    }
}
