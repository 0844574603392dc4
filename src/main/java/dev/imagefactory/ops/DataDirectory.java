package dev.imagefactory.ops;

import dev.imagefactory.config.FactoryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Creates the data directory at startup and tells {@link StorageHealthCheck} whether it can take a write. A directory
 * that cannot be created does not stop the process: it stays alive (so {@code /healthz} answers) and {@code /readyz}
 * reports 503, as it does later whenever the disk is full, read-only or refuses access.
 */
@ApplicationScoped
public class DataDirectory {
    /** Probes of /readyz within this time reuse the last verdict instead of writing again. */
    static final Duration PROBE_REUSE = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(DataDirectory.class);

    private final Path dir;
    /** factory.readiness.timeout: the write must be answered before Kubernetes' readiness probe gives up. */
    private final Duration probeTimeout;
    private volatile DiskWriteProbe probe;

    public DataDirectory(FactoryConfig config) {
        this.dir = config.dataDir().toAbsolutePath().normalize();
        this.probeTimeout = BackgroundCheck.readinessBound(config);
    }

    void onStart(@Observes StartupEvent event) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            LOG.errorf(e, "cannot create data directory %s", dir);
        }
        probe = new DiskWriteProbe(probedDirs(), probeTimeout, PROBE_REUSE);
        probe.removeLeftovers();
        probe.verdictAsync(); // the first /readyz, right after start-up, reuses this write instead of waiting for one
    }

    /** The data dir, and the artifact cache's directory too when a separate volume is mounted there. */
    private List<Path> probedDirs() {
        Path cache = dir.resolve("cache");
        try {
            if (Files.isDirectory(cache) && !Files.getFileStore(cache).equals(Files.getFileStore(dir))) {
                return List.of(dir, cache);
            }
        } catch (IOException e) {
            LOG.debugf(e, "cannot tell the volume of %s", cache);
        }
        return List.of(dir);
    }

    /** Whether a few KiB can be written and flushed below the data dir (a recent verdict may be reused). */
    boolean writable() {
        return probe.verdict().writable();
    }

    /** {@link #writable()} without blocking. */
    CompletableFuture<Boolean> writableAsync() {
        return probe.verdictAsync().thenApply(DiskWriteProbe.Verdict::writable);
    }

    public Path path() {
        return dir;
    }
}
