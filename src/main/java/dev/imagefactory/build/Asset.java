package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CachedArtifact;

/**
 * A built (or cached) artifact with the name and media type it is served under, leased: it stays in the cache until
 * {@link #close()} (the response streaming it, or whoever uses it, releases it).
 */
public record Asset(ArtifactLease lease, String filename, String contentType) implements AutoCloseable {

    public CachedArtifact artifact() {
        return lease.artifact();
    }

    @Override
    public void close() {
        lease.close();
    }
}
