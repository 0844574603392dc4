package dev.imagefactory.ops;

import dev.imagefactory.config.FactoryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Creates the data directory at startup and reports it to {@link Readiness}. A directory that cannot be created
 * does not stop the process: it stays alive (so {@code /healthz} answers) and {@code /readyz} reports 503.
 */
@ApplicationScoped
public class DataDirectory {
    static final String CHECK_NAME = "data dir writable";
    private static final Logger LOG = Logger.getLogger(DataDirectory.class);

    private final Path dir;
    private final Readiness readiness;

    public DataDirectory(FactoryConfig config, Readiness readiness) {
        this.dir = config.dataDir().toAbsolutePath().normalize();
        this.readiness = readiness;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            LOG.errorf(e, "cannot create data directory %s", dir);
        }
        readiness.register(CHECK_NAME, this::writable);
    }

    /** Writes a probe file: permission bits alone miss read-only mounts and full disks. */
    boolean writable() throws IOException {
        Path probe = Files.createTempFile(dir, ".readyz-", ".probe");
        Files.delete(probe);
        return true;
    }

    public Path path() {
        return dir;
    }
}
