package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.CacheKey;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link HoldingBuildAction} produced: the file to publish, the artifacts it keeps in the cache for as long as
 * it is there itself ({@link ArtifactCache#publishPinned}; the action holds them leased), and those leases, released
 * once the file is published (or the build failed), so nothing it holds can be evicted in between.
 */
public record BuildOutput(Path file, Set<CacheKey> holds, AutoCloseable leases) {

    public BuildOutput {
        Objects.requireNonNull(file, "file");
        holds = Set.copyOf(holds);
        Objects.requireNonNull(leases, "leases");
    }

    /** A plain file that holds nothing. */
    public static BuildOutput of(Path file) {
        return new BuildOutput(file, Set.of(), () -> {
        });
    }
}
