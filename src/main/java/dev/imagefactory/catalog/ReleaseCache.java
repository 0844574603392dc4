package dev.imagefactory.catalog;

import dev.imagefactory.tools.FileTrees;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private static final String SCRATCH_MARK = ".tmp-";
    /** Older scratch directories are a crashed process's leftovers; younger ones may be another fill's. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    private final Path root;
    private final ConcurrentHashMap<Path, CompletableFuture<Path>> filling = new ConcurrentHashMap<>();
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
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = filling.putIfAbsent(entry, mine);
        if (running != null) {
            return await(running);
        }
        try {
            if (!Files.isDirectory(entry)) {
                fill(entry, where, filler);
            }
            mine.complete(entry);
            return entry;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            filling.remove(entry, mine);
        }
    }

    private Path entryPath(String kind, String key) {
        if (!KEY.matcher(kind).matches() || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid release cache entry " + kind + "/" + key);
        }
        return root.resolve(kind).resolve(key);
    }

    private void fill(Path entry, String where, Filler filler) {
        Path scratch = null;
        try {
            Files.createDirectories(entry.getParent());
            sweepAbandoned(entry.getParent());
            scratch = Files.createTempDirectory(entry.getParent(), "." + entry.getFileName() + SCRATCH_MARK);
            filler.fill(scratch);
            publish(scratch, entry);
            scratch = null;
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                discard(scratch);
            }
        }
    }

    private static void publish(Path scratch, Path entry) throws IOException {
        try {
            Files.move(scratch, entry, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // another process published the same content first
            discard(scratch);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + scratch + " into place atomically", e);
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

    private static Path await(CompletableFuture<Path> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
