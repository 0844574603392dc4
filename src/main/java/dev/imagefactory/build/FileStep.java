package dev.imagefactory.build;

import java.nio.file.Path;

/** A step whose product is one file that holds nothing else in the cache. */
public interface FileStep extends Step {

    /** Builds {@code plan} into {@code workDir} and returns the produced file (see {@link Step#build}). */
    Path execute(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception;

    @Override
    default BuildOutput build(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception {
        return BuildOutput.of(execute(plan, needs, workDir, progress));
    }
}
