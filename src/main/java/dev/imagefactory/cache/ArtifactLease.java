package dev.imagefactory.cache;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cached artifact held in the cache while someone uses it: until {@link #close()}, eviction skips it, so a path
 * handed to an external tool (xorriso, mksquashfs…) or a file being streamed to a client stays there. Leases are
 * counted per artifact; closing twice releases once. An artifact that lives only in remote storage, where nothing
 * is evicted, gets a lease that holds nothing.
 */
public final class ArtifactLease implements AutoCloseable {

    private final CachedArtifact artifact;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    ArtifactLease(CachedArtifact artifact, Runnable release) {
        this.artifact = artifact;
        this.release = release;
    }

    /** A lease that holds nothing (remote artifacts, or stores that never evict). */
    public static ArtifactLease unpinned(CachedArtifact artifact) {
        return new ArtifactLease(artifact, null);
    }

    /**
     * A lease of an artifact that is not itself in the cache but served from what another lease holds (an installer
     * tarball streamed from the blobs its record holds): closing it runs {@code release} once.
     */
    public static ArtifactLease releasing(CachedArtifact artifact, Runnable release) {
        return new ArtifactLease(artifact, java.util.Objects.requireNonNull(release, "release"));
    }

    public CachedArtifact artifact() {
        return artifact;
    }

    /** The artifact's local file, which stays in place until this lease is closed. */
    public Path file() {
        return artifact.file();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Releases the hold; never throws, and only the first call counts. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && release != null) {
            release.run();
        }
    }
}
