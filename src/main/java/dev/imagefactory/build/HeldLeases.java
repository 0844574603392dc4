package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The leases a build step takes on the cached files it hands to its tools, released together when the step is done
 * (try-with-resources), so none of those files can be evicted under the tools. Thread-safe.
 */
final class HeldLeases implements AutoCloseable {

    private final List<ArtifactLease> leases = new ArrayList<>();

    /** Keeps {@code lease} until {@link #close()}. */
    synchronized ArtifactLease hold(ArtifactLease lease) {
        leases.add(lease);
        return lease;
    }

    /** Keeps {@code lease} (of an artifact with a local file) until {@link #close()} and returns its file. */
    Path file(ArtifactLease lease) {
        return hold(lease).file();
    }

    @Override
    public synchronized void close() {
        leases.forEach(ArtifactLease::close);
        leases.clear();
    }
}
