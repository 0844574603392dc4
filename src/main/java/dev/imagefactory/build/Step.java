package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
import java.nio.file.Path;

/**
 * One kind of build step (a CDI bean, found by its {@link #kind()}). The step's {@code plan(...)} is pure: it
 * resolves every input to a digest and refuses bad requests (4xx) before anything is built. {@link #build} does the
 * work of one plan of this kind. Most steps produce one file and implement {@link FileStep}.
 */
public interface Step {

    StepKind kind();

    /**
     * Builds {@code plan} into {@code workDir} (fresh, deleted afterwards) and returns what to publish: the produced
     * file and the artifacts it holds in the cache.
     *
     * @param needs the local files of the plans {@code plan} needs, leased while this runs
     */
    BuildOutput build(BuildPlan plan, NeededFiles needs, Path workDir, StepProgress progress) throws Exception;

    /**
     * What a lease of this step's published artifact serves: the artifact itself, unless the step publishes a
     * record of something served otherwise (the installer's record of its blobs is served as a tarball streamed
     * from them). Takes over {@code published}: closing the result releases it.
     */
    default ArtifactLease served(ArtifactLease published) {
        return published;
    }
}
