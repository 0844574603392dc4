package dev.imagefactory.build;

import java.nio.file.Path;

/**
 * One kind of build step (a CDI bean, found by its {@link #kind()}). The step's {@code plan(...)} is pure: it
 * resolves every input to a digest and refuses bad requests (4xx) before anything is built. {@link #execute} does
 * the work of one plan of this kind.
 */
public interface Step {

    StepKind kind();

    /**
     * Builds {@code plan} into {@code workDir} (fresh, deleted afterwards) and returns the produced file.
     *
     * @param needs the local files of the plans {@code plan} needs, leased while this runs
     */
    Path execute(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception;
}
