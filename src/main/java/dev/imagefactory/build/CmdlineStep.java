package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code cmdline-<platform>-<arch>[-secureboot]}: the kernel command line (talos-imager.md §3) as bytes without a
 * trailing newline. Like upstream, the cmdline asset does not carry the overlay's kernel arguments (the factory adds
 * no overlay to kernel and cmdline profiles), so none are passed here.
 */
@Singleton
class CmdlineStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "cmdline-1";

    /** The artifact is the rendered command line itself. */
    record Inputs(String cmdline) {
    }

    /** The command line of {@code request}'s profile; refuses one over the kernel's limit (400). */
    static String cmdline(BuildRequest request) {
        Profile p = request.profile();
        return CmdlineBuilder.forSchematic(p.platform(), p.arch(), request.quirks(), p.kind(), p.secureBoot(),
                request.schematic().schematic().customization(), List.of()).render();
    }

    @Override
    public StepKind kind() {
        return StepKind.CMDLINE;
    }

    @Override
    public OutputKind output() {
        return OutputKind.CMDLINE;
    }

    @Override
    public BuildPlan plan(BuildRequest request) {
        return BuildPlan.output(kind(), BUILDER_VERSION, new Inputs(cmdline(request)),
                request.profile().labels());
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception {
        Path out = workDir.resolve("cmdline");
        Files.writeString(out, plan.inputs(Inputs.class).cmdline(), StandardCharsets.UTF_8);
        return out;
    }
}
