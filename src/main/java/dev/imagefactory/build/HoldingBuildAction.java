package dev.imagefactory.build;

import java.nio.file.Path;

/**
 * A {@link BuildAction} whose product holds other artifacts in the cache (an installer image's record holds its
 * manifests and blobs): they are evicted with it, never before it.
 */
@FunctionalInterface
public interface HoldingBuildAction {

    /** As {@link BuildAction#build}; the output's leases are released by the scheduler once it is published. */
    BuildOutput build(Path workDir) throws Exception;
}
