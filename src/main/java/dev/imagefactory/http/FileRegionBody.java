package dev.imagefactory.http;

import dev.imagefactory.cache.ArtifactLease;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;

/**
 * A response body that is a region of a local file, written by {@link FileRegionWriter} with the kernel's sendfile
 * (no copy through the JVM). {@code lease} (may be null) keeps the file in the cache until the response has ended;
 * {@code servedBytes} counts the region when it is handed to the connection.
 */
public record FileRegionBody(Path file, long offset, long length, ArtifactLease lease, Counter servedBytes) {

    /** Releases the lease, if any (idempotent: a lease releases once). */
    void release() {
        if (lease != null) {
            lease.close();
        }
    }
}
