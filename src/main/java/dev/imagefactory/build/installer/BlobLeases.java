package dev.imagefactory.build.installer;

import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.model.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The blobs an image's build has stored, leased until the record holding them is published (then closed): nothing
 * of an image can be evicted between its write and the record that keeps it whole.
 */
public final class BlobLeases implements AutoCloseable {

    private final List<ArtifactLease> leases = new ArrayList<>();
    private final Set<Digest> digests = new LinkedHashSet<>();

    public synchronized void add(Digest digest, ArtifactLease lease) {
        digests.add(digest);
        leases.add(lease);
    }

    /** The digests of every blob stored so far. */
    public synchronized Set<Digest> digests() {
        return Set.copyOf(digests);
    }

    /** The cache keys of every blob stored so far. */
    public synchronized Set<CacheKey> keys() {
        Set<CacheKey> keys = new LinkedHashSet<>();
        leases.forEach(l -> keys.add(l.artifact().key()));
        return keys;
    }

    @Override
    public synchronized void close() {
        leases.forEach(ArtifactLease::close);
        leases.clear();
    }
}
