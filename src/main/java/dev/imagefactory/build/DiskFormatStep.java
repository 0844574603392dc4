package dev.imagefactory.build;

import dev.imagefactory.build.disk.DiskFormats;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A disk image in its download format (talos-imager.md §6.6): the raw image plan's compact intermediate expanded to
 * the raw bytes (sparse), served as they are for {@code raw} or wrapped as qcow2, vhd or ova.
 */
@Singleton
class DiskFormatStep implements FileStep {

    private static final String BUILDER_VERSION = "disk-format-1";

    /** @param options {@code qemu-img -o} options (the platform's, or {@code cluster_size=8k} for qcow2) */
    record Inputs(BuildPlan raw, DiskFormat format, String options) {
    }

    private final ProcessRunner runner;

    @Inject
    DiskFormatStep(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public StepKind kind() {
        return StepKind.DISK_FORMAT;
    }

    BuildPlan plan(BuildPlan raw, DiskFormat format, String options, BuildLabels labels, boolean served) {
        Inputs inputs = new Inputs(raw, format, options);
        return served ? BuildPlan.output(kind(), BUILDER_VERSION, inputs, labels)
                : BuildPlan.intermediate(kind(), BUILDER_VERSION, inputs, labels.intermediate("disk-" + format.extension()));
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        Path raw = work.resolve("disk.raw");
        DiskFormats.expand(runner, needs.file(in.raw()), raw);
        if (in.format() == DiskFormat.RAW) {
            return raw;
        }
        Path out = work.resolve("disk." + in.format().extension());
        DiskFormats.convert(runner, raw, in.format(), in.options(), out, Files.createDirectories(work.resolve("scratch")));
        Files.delete(raw);
        return out;
    }
}
