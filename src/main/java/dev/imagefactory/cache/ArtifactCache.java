package dev.imagefactory.cache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Content-addressed store of built artifacts: {@link FileArtifactCache} (local disk, the embedded default) or
 * {@link dev.imagefactory.cache.s3.S3ArtifactCache} (a bucket shared by replicas, over a local cache).
 *
 * <p>Final artifacts (what clients download) are <em>shared</em>; intermediates (per-extension squashfs, the ISO's
 * UKI...) are <em>local</em>: a store may keep them on local disk only. On a purely local store both are the same.
 */
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

    /** {@link #lookup} of an intermediate product. */
    default Optional<CachedArtifact> lookupLocal(CacheKey key) {
        return lookup(key);
    }

    /** {@link #publish} of an intermediate product. */
    default CachedArtifact publishLocal(CacheKey key, Path built) {
        return publish(key, built);
    }

    /**
     * Before building a shared artifact: the right to build it among all processes sharing this store, or the
     * artifact when another process published it meanwhile (waiting at most {@code maxWait} for that). A local store
     * has no other processes: the claim is always granted.
     */
    default BuildClaim claim(CacheKey key, Duration maxWait) {
        return BuildClaim.GRANTED;
    }

    /** A local file with the artifact's bytes (copied from remote storage, and checked, when needed). */
    default Path localFile(CachedArtifact artifact) {
        return artifact.file();
    }
}
