package dev.imagefactory.registry;

import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Which tag an index, manifest or blob served by the registry was built for ({@code <data-dir>/registry/origins/<hex>},
 * two lines: repository and version), kept outside the size-bounded cache, so a pull by digest of something evicted
 * since can rebuild it: builds are reproducible, so the rebuilt image has the same digests. A few hundred bytes per
 * digest; a blob shared by several images names the last one built, which rebuilds it as well as any.
 */
final class DigestOrigins {

    private static final Logger LOG = Logger.getLogger(DigestOrigins.class);

    /** The tag a digest was served under. */
    record Origin(String repository, String version) {
    }

    private final Path dir;

    DigestOrigins(Path dir) {
        this.dir = dir;
    }

    /** Records {@code origin} for each digest (best effort: a failure only costs the rebuild of an evicted digest). */
    void remember(Iterable<Digest> digests, Origin origin) {
        byte[] content = (origin.repository() + "\n" + origin.version() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(dir);
            for (Digest digest : digests) {
                Path file = file(digest);
                if (Files.exists(file) && origin.equals(read(file).orElse(null))) {
                    continue;
                }
                AtomicFiles.write(file, content);
            }
        } catch (IOException e) {
            LOG.warnf("could not record where the digests of %s:%s come from (%s): pulls by digest of them cannot "
                    + "rebuild them once evicted", origin.repository(), origin.version(), e.getMessage());
        }
    }

    Optional<Origin> of(Digest digest) {
        try {
            return read(file(digest));
        } catch (IOException e) {
            LOG.warnf("unreadable origin of %s: %s", digest, e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Origin> read(Path file) throws IOException {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.size() == 2 ? Optional.of(new Origin(lines.get(0), lines.get(1))) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private Path file(Digest digest) {
        return dir.resolve(digest.algorithm() + "-" + digest.hex());
    }
}
