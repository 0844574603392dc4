package dev.imagefactory.cache;

import dev.imagefactory.content.FileTrees;
import java.io.IOException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

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

    /**
     * Removes a work directory of {@link #newWorkDir} and everything in it. It is gone from its place when this
     * returns; a store may free its space (deleting a multi-GiB sparse scratch image takes a good fraction of a
     * second) after that, in the background.
     */
    default void discardWorkDir(Path dir) throws IOException {
        FileTrees.deleteRecursively(dir);
    }

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

    /**
     * Holds {@code artifact} against eviction until the lease is closed (a build step passing its path to a tool, a
     * download streaming it). Empty when it has been evicted already: look it up again, or rebuild it.
     */
    default Optional<ArtifactLease> pin(CachedArtifact artifact) {
        return Optional.of(ArtifactLease.unpinned(artifact));
    }

    /** {@link #lookup} and {@link #pin}: a miss when the artifact is evicted in between. */
    default Optional<ArtifactLease> lookupPinned(CacheKey key) {
        return lookup(key).flatMap(this::pin);
    }

    /**
     * {@link #publish}, returning the artifact leased before any eviction can see it. The artifact also keeps
     * {@code holds} (which the caller must have leased) in the cache for as long as it is there itself: a served
     * image's record holds its manifests and blobs, so they are evicted together.
     */
    default ArtifactLease publishPinned(CacheKey key, Path built, Set<CacheKey> holds) {
        CachedArtifact published = publish(key, built);
        return pin(published).orElseThrow(() -> new IllegalStateException("artifact " + key
                + " was evicted right after it was published"));
    }

    /** {@link #publishLocal}, returning the intermediate leased before any eviction can see it. */
    default ArtifactLease publishLocalPinned(CacheKey key, Path built) {
        return publishPinned(key, built, Set.of());
    }

    /**
     * A leased local file with the artifact's bytes (copied from remote storage, and checked, when needed). The
     * caller holds {@code artifact} leased already (so it cannot have been evicted) and closes the returned lease
     * when the file is no longer needed.
     */
    default ArtifactLease localFile(CachedArtifact artifact) {
        return pin(artifact).orElseThrow(() -> new IllegalStateException("artifact " + artifact.key()
                + " was evicted while in use: lease it before using its file"));
    }
}
