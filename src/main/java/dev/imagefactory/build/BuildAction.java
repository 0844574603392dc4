package dev.imagefactory.build;

import java.nio.file.Path;

/** Produces one artifact. */
@FunctionalInterface
public interface BuildAction {

    /**
     * Builds into {@code workDir} (fresh, empty, deleted afterwards whatever happens) and returns the produced file,
     * which must be a regular file inside {@code workDir}; it is then published to the cache. Should stop promptly
     * when interrupted (the build timeout interrupts it); {@link dev.imagefactory.tools.ProcessRunner} does.
     */
    Path build(Path workDir) throws Exception;
}
