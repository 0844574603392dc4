package dev.imagefactory.catalog;

import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.content.SingleFlight;
import dev.imagefactory.content.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Directories derived from release content ({@code <root>/<kind>/<key>/}): pulled boot files, flattened extension
 * images. A key names content (a digest), so an entry never changes once written and is reused across restarts.
 * Each entry is filled in a scratch directory next to it and renamed into place, so a reader never sees half an
 * entry; concurrent requests for one entry share a single fill.
 */
public final class ReleaseCache {

    /** Fills an empty directory; any exception discards it. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path emptyDirectory) throws IOException;
    }

    private static final Logger LOG = Logger.getLogger(ReleaseCache.class);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String SCRATCH_MARK = AtomicFiles.TEMP_PREFIX;
    /** Older scratch directories are a crashed process's leftovers; younger ones may be another fill's. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    private final Path root;
    private final SingleFlight<Path, Path> filling = new SingleFlight<>();
    private final ConcurrentHashMap<String, Boolean> swept = new ConcurrentHashMap<>();

    public ReleaseCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The entry's directory if it was filled before. */
    public Optional<Path> existing(String kind, String key) {
        Path entry = entryPath(kind, key);
        return Files.isDirectory(entry) ? Optional.of(entry) : Optional.empty();
    }

    /**
     * The entry's directory, filled by {@code filler} unless it exists already.
     *
     * @throws ReleaseDataException when the fill fails (an {@link IOException} is wrapped, naming {@code where})
     */
    public Path directory(String kind, String key, String where, Filler filler) {
        Path entry = entryPath(kind, key);
        if (Files.isDirectory(entry)) {
            return entry;
        }
        return filling.runHere(entry, () -> {
            if (!Files.isDirectory(entry)) {
                fill(entry, where, filler);
            }
            return entry;
        });
    }

    private Path entryPath(String kind, String key) {
        if (!KEY.matcher(kind).matches() || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid release cache entry " + kind + "/" + key);
        }
        return root.resolve(kind).resolve(key);
    }

    /** Fills a scratch directory beside the entry and renames it into place; another process may win (same bytes). */
    private void fill(Path entry, String where, Filler filler) {
        try {
            Files.createDirectories(entry.getParent());
            sweepAbandoned(entry.getParent());
            AtomicFiles.publishDirectory(entry, filler::fill);
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        }
    }

    private void sweepAbandoned(Path kindDir) {
        if (swept.putIfAbsent(kindDir.toString(), Boolean.TRUE) != null) {
            return;
        }
        Instant cutoff = Instant.now().minus(ABANDONED);
        try (Stream<Path> entries = Files.list(kindDir)) {
            List<Path> abandoned = entries
                    .filter(p -> p.getFileName().toString().startsWith(".") && p.getFileName().toString().contains(SCRATCH_MARK))
                    .filter(p -> modifiedBefore(p, cutoff))
                    .toList();
            abandoned.forEach(ReleaseCache::discard);
        } catch (IOException e) {
            LOG.warnf("cannot list %s for abandoned scratch directories: %s", kindDir, e.getMessage());
        }
    }

    private static boolean modifiedBefore(Path path, Instant cutoff) {
        try {
            return Files.getLastModifiedTime(path).toInstant().isBefore(cutoff);
        } catch (IOException e) {
            return false;
        }
    }

    private static void discard(Path scratch) {
        try {
            FileTrees.deleteRecursively(scratch);
        } catch (IOException e) {
            LOG.warnf("cannot delete scratch directory %s: %s", scratch, e.getMessage());
        }
    }
}
