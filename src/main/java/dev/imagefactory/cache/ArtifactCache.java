package dev.imagefactory.cache;

import java.nio.file.Path;
import java.util.Optional;

/** Content-addressed store of built artifacts (local filesystem now; S3 later). */
public interface ArtifactCache {

    /** The artifact under {@code key}, if published; a hit counts as a use for eviction. */
    Optional<CachedArtifact> lookup(CacheKey key);

    /**
     * Publishes {@code built} (a file the caller owns, on the same filesystem as the cache's temp directory) under
     * {@code key}: hashes it, then moves it into place atomically, so readers see all of it or nothing.
     */
    CachedArtifact publish(CacheKey key, Path built);

    /** A fresh directory for one build, below the cache's scratch space (same filesystem, so publish is a rename). */
    Path newWorkDir(String purpose);
}
