package dev.imagefactory.cache;

import dev.imagefactory.content.DaemonThreads;
import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.content.PrehashedFiles;
import dev.imagefactory.model.Digest.Algorithm;
import dev.imagefactory.model.Digest;
import dev.imagefactory.content.FileTrees;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The embedded artifact cache: files below one directory, bounded in size, least recently used evicted first.
 *
 * <pre>
 * root/objects/ab/ab12…(64 hex)        the artifact bytes, immutable once there
 * root/objects/ab/ab12…(64 hex).json   its metadata: size, SHA-256, creation time
 * root/objects/ab/.tmp-*               metadata being written (removed at startup if a crash left one)
 * root/work/&lt;purpose&gt;-NNN/          scratch directories of running builds (all removed at startup)
 * root/trash/&lt;purpose&gt;-NNN/         finished builds' scratch directories being deleted (likewise)
 * </pre>
 *
 * <p><b>Publishing order.</b> The artifact is hashed and flushed to disk while it still lives in its work directory;
 * then the metadata is written (temporary file, fsync, atomic rename); only then is the artifact renamed into place
 * (atomic rename, then the directory is flushed). The artifact's rename is the commit point: whoever can see the
 * artifact under its final name can also see complete metadata for it, so there is no moment at which a present
 * artifact lacks metadata and has to be treated as missing or damaged. A crash between the two renames leaves
 * metadata without an artifact, which is never served (lookups need the artifact) and is removed at startup. The
 * reverse order would leave a window in which a fully written artifact has no metadata. At startup an artifact
 * whose metadata is missing, unreadable or disagrees with it (key, size, digest shape) is deleted, never served.
 * The digest is the one its step took while writing the file when it did ({@code PrehashedFiles}), else it is
 * computed here.
 *
 * <p><b>Intermediates first, digest after</b> ({@link #publishLocalPinned}). An intermediate whose digest was not
 * taken while it was written is renamed into place and indexed at once, and hashed, flushed and given its metadata in
 * the background: the step that needs it starts on the file (reading what is in the page cache) instead of waiting
 * for a read of the whole file. Until its metadata is there it is known to this process only, and a crash leaves an
 * artifact without metadata, which startup deletes. Only intermediates are published this way: nothing serves them,
 * and what needs their digest waits for it ({@link CachedArtifact#sha256Digest}).
 *
 * <p><b>Use tracking.</b> The least-recently-used order is kept in memory (an access-ordered map), seeded at startup
 * from the artifacts' modification times; a lookup moves the artifact to the front and, at most once a minute per
 * artifact, sets its modification time so the order survives a restart.
 *
 * <p><b>Eviction</b> runs after each publish, at startup and when the last lease of an artifact is released, until
 * the total size is within the bound. Artifacts being published are not in the index yet, and the artifact just
 * published is never the victim of its own publish (a single artifact larger than the bound stays until the next
 * publish).
 *
 * <p><b>Pinned while used.</b> Eviction skips an artifact that is {@linkplain #pin leased} (a build step holds its
 * path, a download streams it) or <em>held</em> by another artifact: an artifact published with {@code holds} (an
 * installer image's tag record holds its index, manifests and blobs) keeps those in the cache for as long as it is
 * there itself, and when it is evicted they go with it (one unit), except what is leased or held by another. The holds are written into the holder's metadata, so they
 * survive a restart. When everything left is pinned, the cache stays over its bound (logged) rather than break a
 * build or a download, and comes back within it when the leases are released.
 *
 * <p>Locking: one monitor guards the index and the byte count; per-key stripes serialise publishing and deleting the
 * files of the same key. A stripe is taken before the index monitor, never after it.
 */
public class FileArtifactCache implements ArtifactCache {

    private static final Logger LOG = Logger.getLogger(FileArtifactCache.class);
    static final String OBJECTS = "objects";
    static final String WORK = "work";
    static final String TRASH = "trash";
    static final String TMP_PREFIX = AtomicFiles.TEMP_PREFIX;
    static final String METADATA_SUFFIX = ".json";
    static final int METADATA_VERSION = 1;
    private static final long TOUCH_PERSIST_INTERVAL_MILLIS = 60_000;
        private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
    /** Deletes discarded work directories, one at a time (daemon: startup removes what a stop left). */
    private static final ExecutorService DISCARDS = Executors.newSingleThreadExecutor(
            DaemonThreads.named("work-dir-discard-"));
    /** Hashes intermediates published before their digest was known (daemon threads: a restart redoes nothing). */
    private static final ExecutorService DIGESTS = Executors.newCachedThreadPool(
            DaemonThreads.named("artifact-digest-"));
    /** The sidecar files' mapper, made on first use: an empty cache needs none, and Jackson's start costs 0.1 s. */
    private static final class MetadataJson {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /**
     * The sidecar file's content. Unknown fields are ignored so later versions may add some, and earlier ones' are
     * read: entries written before issue 20 also carry a {@code sha512}, no longer recorded (Sha512Sidecars).
     */
    @JsonPropertyOrder({"version", "key", "size", "sha256", "created", "holds"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Metadata(int version, String key, long size, String sha256, String created,
            List<String> holds) {
    }

    private static final class Entry {
        final CachedArtifact artifact;
        /** Keys (hex) this artifact keeps in the cache while it is there itself. */
        final List<String> holds;
        /** Open leases. Guarded by {@link #lock}. */
        int leases;
        /** Last modification time written to the artifact file (epoch millis). */
        volatile long persistedUse;

        Entry(CachedArtifact artifact, List<String> holds, long persistedUse) {
            this.artifact = artifact;
            this.holds = holds;
            this.persistedUse = persistedUse;
        }
    }

    private final Path root;
    private final Path objects;
    private final Path work;
    private final Path trash;
    private final long maxBytes;
    private final Object lock = new Object();
    /** Access-ordered: iteration starts at the least recently used artifact. Guarded by {@link #lock}. */
    private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>(64, 0.75f, true);
    /**
     * Key (hex) → number of indexed artifacts holding it. A separate map: reading the access-ordered index would
     * count as a use. Guarded by {@link #lock}.
     */
    private final Map<String, Integer> heldBy = new HashMap<>();
    private final Object[] stripes = new Object[64];
    /** Guarded by {@link #lock}; volatile so the gauge reads it without locking. */
    private volatile long totalBytes;
    private final Counter evictions;
    private final Counter evictedBytes;

    /**
     * Opens (creating if needed) the cache below {@code root}, removes leftovers of a crash, indexes what is there
     * and evicts down to {@code maxBytes}. Problems with the directory are logged, not thrown: the service keeps
     * running, lookups miss and publishing reports the error.
     */
    public FileArtifactCache(Path root, long maxBytes, MeterRegistry registry) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("factory.cache.max-size must be positive, got " + maxBytes);
        }
        this.root = root.toAbsolutePath().normalize();
        this.objects = this.root.resolve(OBJECTS);
        this.work = this.root.resolve(WORK);
        this.trash = this.root.resolve(TRASH);
        this.maxBytes = maxBytes;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        Gauge.builder("image_factory_asset_cache_size_bytes", this, FileArtifactCache::sizeBytes)
                .description("Bytes of artifacts in the local cache")
                .register(registry);
        Gauge.builder("image_factory_asset_cache_artifacts", this, c -> c.artifactCount())
                .description("Artifacts in the local cache")
                .register(registry);
        Gauge.builder("image_factory_asset_cache_max_size_bytes", this, c -> c.maxBytes)
                .description("Configured bound of the local cache (factory.cache.max-size)")
                .register(registry);
        this.evictions = Counter.builder("image_factory_asset_cache_evictions_total")
                .description("Artifacts evicted from the local cache to stay within its size bound")
                .register(registry);
        this.evictedBytes = Counter.builder("image_factory_asset_cache_evicted_bytes_total")
                .description("Bytes evicted from the local cache")
                .register(registry);
        try {
            recover();
        } catch (IOException | UncheckedIOException e) {
            LOG.errorf(e, "artifact cache at %s could not be opened; artifacts will be rebuilt", this.root);
        }
        evictOverflow(null);
    }

    public Path root() {
        return root;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Total bytes of the indexed artifacts. */
    public long sizeBytes() {
        return totalBytes;
    }

    public int artifactCount() {
        synchronized (lock) {
            return index.size();
        }
    }

    Path artifactPath(CacheKey key) {
        return objects.resolve(key.hex().substring(0, 2)).resolve(key.hex());
    }

    Path metadataPath(CacheKey key) {
        return objects.resolve(key.hex().substring(0, 2)).resolve(key.hex() + METADATA_SUFFIX);
    }

    private Object stripe(String hex) {
        return stripes[Integer.parseInt(hex.substring(0, 2), 16) % stripes.length];
    }

    @Override
    public Optional<CachedArtifact> lookup(CacheKey key) {
        Entry entry;
        synchronized (lock) {
            entry = index.get(key.hex()); // moves it to the most recently used end
        }
        if (entry == null) {
            return Optional.empty();
        }
        Path file = entry.artifact.file();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            LOG.warnf("cached artifact %s disappeared from disk; it will be rebuilt", key);
            forget(key.hex(), entry, true);
            return Optional.empty();
        }
        if (size != entry.artifact.size()) {
            LOG.errorf("cached artifact %s has %d bytes, its metadata says %d; deleting it", key, size, entry.artifact.size());
            forget(key.hex(), entry, true);
            return Optional.empty();
        }
        persistUse(entry);
        return Optional.of(entry.artifact);
    }

    /** Deletes the artifact under {@code key}, if present (e.g. its shared copy turned out to be damaged). */
    public void remove(CacheKey key) {
        Entry entry;
        synchronized (lock) {
            entry = index.get(key.hex());
        }
        if (entry != null) {
            forget(key.hex(), entry, true);
        }
    }

    private void persistUse(Entry entry) {
        long now = System.currentTimeMillis();
        if (now - entry.persistedUse < TOUCH_PERSIST_INTERVAL_MILLIS) {
            return;
        }
        entry.persistedUse = now;
        try {
            Files.setLastModifiedTime(entry.artifact.file(), FileTime.fromMillis(now));
        } catch (IOException e) {
            LOG.debugf(e, "could not record the use of %s", entry.artifact.key());
        }
    }

    @Override
    public CachedArtifact publish(CacheKey key, Path built) {
        return publish(key, built, Set.of(), false, false).artifact;
    }

    @Override
    public ArtifactLease publishPinned(CacheKey key, Path built, Set<CacheKey> holds) {
        Entry entry = publish(key, built, holds, true, false);
        return lease(entry);
    }

    /**
     * Publishes an intermediate without waiting for its SHA-256 when its step did not take it while writing: the
     * dependent step starts on the file while the digest is computed and the file flushed beside it. The metadata
     * follows the digest, so the intermediate survives a restart only once both are there.
     */
    @Override
    public ArtifactLease publishLocalPinned(CacheKey key, Path built) {
        return lease(publish(key, built, Set.of(), true, true));
    }

    /**
     * Publishes and returns the index entry (the one published meanwhile under the same key, if any), leased once
     * when {@code pin}, before eviction can see it. With {@code hashLater} and no digest taken while the file was
     * written, the entry is indexed at once and its digest and metadata come from {@link #hashInBackground}.
     */
    private Entry publish(CacheKey key, Path built, Set<CacheKey> holds, boolean pin, boolean hashLater) {
        if (!Files.isRegularFile(built, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("not a regular file: " + built);
        }
        List<String> held = holds.stream().map(CacheKey::hex).sorted().distinct().toList();
        Entry published;
        CompletableFuture<Digest> pending = null;
        try {
            Path target = artifactPath(key);
            Path metadata = metadataPath(key);
            Optional<ConcurrentDigests.FileDigests> known = PrehashedFiles.take(built);
            if (known.isEmpty() && hashLater) {
                pending = new CompletableFuture<>();
                published = new Entry(CachedArtifact.hashing(key, target, Files.size(built), pending), held, 0);
            } else {
                ConcurrentDigests.FileDigests digest = known.isPresent() ? known.get()
                        : ConcurrentDigests.ofFileAndSync(built, Algorithm.SHA256);
                published = new Entry(new CachedArtifact(key, target, digest.size(), digest.digest(Algorithm.SHA256)),
                        held, 0);
            }
            synchronized (stripe(key.hex())) {
                Entry existing;
                synchronized (lock) {
                    existing = index.get(key.hex());
                    if (existing != null && pin) {
                        existing.leases++; // with the index check, so no eviction comes between
                    }
                }
                if (existing != null && Files.exists(existing.artifact.file())) {
                    // Published meanwhile (same inputs); keep the first, readers may already hold it.
                    Files.deleteIfExists(built);
                    return existing;
                }
                if (existing != null && pin) {
                    synchronized (lock) {
                        existing.leases--; // its file is gone: it is replaced below
                    }
                }
                synchronized (lock) {
                    for (String hex : held) {
                        if (!index.containsKey(hex)) {
                            throw new IllegalStateException("artifact " + key + " would hold " + hex
                                    + ", which is not in the cache (lease what you hold until it is published)");
                        }
                    }
                }
                Files.createDirectories(target.getParent());
                if (pending == null) {
                    writeMetadata(metadata, metadataOf(published.artifact, held));
                }
                long now = System.currentTimeMillis();
                try {
                    Files.setLastModifiedTime(built, FileTime.fromMillis(now));
                    AtomicFiles.move(built, target);
                } catch (IOException e) {
                    Files.deleteIfExists(metadata); // never leave metadata pointing at nothing
                    throw e;
                }
                published.persistedUse = now;
                synchronized (lock) {
                    // The held keys are leased by the caller, so they are still indexed; from here they are held.
                    hold(published);
                    if (pin) {
                        published.leases++;
                    }
                    Entry replaced = index.put(key.hex(), published);
                    totalBytes += published.artifact.size() - (replaced == null ? 0 : replaced.artifact.size());
                    if (replaced != null) {
                        unhold(replaced);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("publishing artifact " + key + " failed: " + e.getMessage(), e);
        }
        LOG.debugf("published artifact %s (%d bytes)", key, published.artifact.size());
        if (pending != null) {
            hashInBackground(published, pending);
        }
        evictOverflow(key.hex());
        return published;
    }

    private static Metadata metadataOf(CachedArtifact artifact, List<String> held) {
        return new Metadata(METADATA_VERSION, artifact.key().hex(), artifact.size(), artifact.sha256(),
                Instant.now().toString(), held);
    }

    /**
     * The SHA-256 of an entry published before it was known, with its file flushed, then its metadata (unless it
     * left the cache meanwhile). A file that cannot be read is dropped from the cache; metadata that cannot be
     * written only costs the entry's survival of a restart (recovery deletes an artifact without metadata).
     */
    private void hashInBackground(Entry entry, CompletableFuture<Digest> pending) {
        CachedArtifact artifact = entry.artifact;
        String hex = artifact.key().hex();
        DIGESTS.execute(() -> {
            ConcurrentDigests.FileDigests digest;
            try {
                digest = ConcurrentDigests.ofFileAndSync(artifact.file(), Algorithm.SHA256);
                if (digest.size() != artifact.size()) {
                    throw new IOException("its size changed from " + artifact.size() + " to " + digest.size());
                }
            } catch (IOException | RuntimeException e) {
                pending.completeExceptionally(e instanceof IOException io ? io : new IOException(e));
                LOG.warnf("dropping intermediate %s from the cache: it could not be hashed: %s", hex, e.getMessage());
                forget(hex, entry, true);
                return;
            }
            pending.complete(digest.digest(Algorithm.SHA256));
            synchronized (stripe(hex)) {
                boolean current;
                synchronized (lock) {
                    Map.Entry<String, Entry> indexed = peek(hex);
                    current = indexed != null && indexed.getValue() == entry;
                }
                if (current) {
                    try {
                        writeMetadata(metadataPath(artifact.key()), metadataOf(artifact, entry.holds));
                    } catch (IOException | RuntimeException e) {
                        LOG.warnf("intermediate %s stays in the cache until a restart: its metadata could not be "
                                + "written: %s", hex, e.getMessage());
                    }
                }
            }
        });
    }

    /**
     * A lease on {@code artifact} if it is still the indexed one of its key (a remote artifact needs none); empty
     * when it has been evicted or replaced meanwhile: look it up again (or rebuild it).
     */
    @Override
    public Optional<ArtifactLease> pin(CachedArtifact artifact) {
        if (artifact.content().localFile().isEmpty()) {
            return Optional.of(ArtifactLease.unpinned(artifact));
        }
        String hex = artifact.key().hex();
        Entry entry;
        synchronized (lock) {
            entry = index.get(hex);
            if (entry == null || !entry.artifact.equals(artifact)) {
                return Optional.empty();
            }
            entry.leases++;
        }
        return Optional.of(lease(entry));
    }

    /** Whether {@code key} is in the cache now (not counted as a use). */
    public boolean contains(CacheKey key) {
        synchronized (lock) {
            return index.containsKey(key.hex());
        }
    }

    /** Whether {@code key} is leased or held now (for tests and diagnostics). */
    public boolean isPinned(CacheKey key) {
        synchronized (lock) {
            Map.Entry<String, Entry> entry = peek(key.hex());
            return entry != null && pinned(entry.getKey(), entry.getValue());
        }
    }

    private ArtifactLease lease(Entry entry) {
        return new ArtifactLease(entry.artifact, () -> release(entry));
    }

    private void release(Entry entry) {
        boolean overflowing;
        synchronized (lock) {
            entry.leases--;
            overflowing = entry.leases == 0 && totalBytes > maxBytes;
        }
        if (overflowing) {
            evictOverflow(null); // what this lease kept past the bound may go now
        }
    }

    private boolean pinned(String hex, Entry entry) {
        return entry.leases > 0 || heldBy.getOrDefault(hex, 0) > 0;
    }

    /** Counts the holds of a newly indexed artifact. Caller holds {@link #lock}. */
    private void hold(Entry holder) {
        for (String hex : holder.holds) {
            heldBy.merge(hex, 1, Integer::sum);
        }
    }

    /** Forgets the holds of an artifact that left the index. Caller holds {@link #lock}. */
    private void unhold(Entry holder) {
        for (String hex : holder.holds) {
            heldBy.computeIfPresent(hex, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    @Override
    public Path newWorkDir(String purpose) {
        String prefix = purpose == null ? "build" : purpose.replaceAll("[^A-Za-z0-9._-]", "_");
        if (prefix.isEmpty() || prefix.startsWith(".")) {
            prefix = "build" + prefix;
        }
        if (prefix.length() > 64) {
            prefix = prefix.substring(0, 64);
        }
        try {
            Files.createDirectories(work);
            return Files.createTempDirectory(work, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory below " + work + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves the work directory into {@code trash/} (a rename: it leaves the work area at once) and deletes it there
     * in the background, so the build's waiters are told without waiting for a multi-GiB scratch image's blocks to
     * be freed. Deleted in place when it cannot be moved.
     */
    @Override
    public void discardWorkDir(Path dir) throws IOException {
        Path moved;
        try {
            Files.createDirectories(trash);
            moved = Files.move(dir, trash.resolve(dir.getFileName()));
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteRecursively(dir);
            return;
        }
        DISCARDS.execute(() -> {
            try {
                FileTrees.deleteRecursively(moved);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("could not delete the discarded work directory %s: %s", moved, e.getMessage());
            }
        });
    }

    /**
     * Evicts least recently used artifacts (never {@code keep}, nor a pinned one) until the total is within the
     * bound. A holder is evicted as a unit with what it held, except what is leased or held by another holder.
     */
    private void evictOverflow(String keep) {
        List<Map.Entry<String, Entry>> victims = new ArrayList<>();
        synchronized (lock) {
            Iterator<Map.Entry<String, Entry>> it = index.entrySet().iterator();
            while (totalBytes > maxBytes && it.hasNext()) {
                Map.Entry<String, Entry> next = it.next();
                if (next.getKey().equals(keep) || pinned(next.getKey(), next.getValue())) {
                    continue;
                }
                it.remove();
                evicted(next, victims);
                if (!next.getValue().holds.isEmpty()) {
                    evictHeld(next.getValue(), victims);
                    it = index.entrySet().iterator(); // the index changed under the iterator: start again
                }
            }
            if (totalBytes > maxBytes) {
                long pinnedBytes = 0;
                int pinnedCount = 0;
                for (Map.Entry<String, Entry> e : index.entrySet()) {
                    if (pinned(e.getKey(), e.getValue())) {
                        pinnedBytes += e.getValue().artifact.size();
                        pinnedCount++;
                    }
                }
                LOG.warnf("artifact cache holds %d bytes, over its bound of %d: %d artifacts (%d bytes) are in use by "
                        + "builds or downloads (or held by a served image) and are kept until released%s",
                        totalBytes, maxBytes, pinnedCount, pinnedBytes,
                        keep != null && index.containsKey(keep) ? ", and the newest artifact is kept" : "");
            }
        }
        for (Map.Entry<String, Entry> victim : victims) {
            deleteFiles(victim.getKey(), victim.getValue());
            evictions.increment();
            evictedBytes.increment(victim.getValue().artifact.size());
            LOG.infof("evicted artifact %s (%d bytes) from the cache", victim.getKey(), victim.getValue().artifact.size());
        }
    }

    /** Accounts for an artifact just removed from the index by eviction. Caller holds {@link #lock}. */
    private void evicted(Map.Entry<String, Entry> victim, List<Map.Entry<String, Entry>> victims) {
        totalBytes -= victim.getValue().artifact.size();
        unhold(victim.getValue());
        victims.add(victim);
    }

    /**
     * Evicts what an evicted holder held, unless it is leased or still held by another holder (a base layer shared
     * by several images). Caller holds {@link #lock}.
     */
    private void evictHeld(Entry holder, List<Map.Entry<String, Entry>> victims) {
        List<String> pending = new ArrayList<>(holder.holds);
        while (!pending.isEmpty()) {
            String hex = pending.remove(pending.size() - 1);
            Map.Entry<String, Entry> held = peek(hex);
            if (held == null || pinned(hex, held.getValue())) {
                continue;
            }
            index.remove(hex);
            evicted(held, victims);
            pending.addAll(held.getValue().holds);
        }
    }

    /** The index entry of {@code hex} without counting as a use (unlike {@code index.get}). Caller holds the lock. */
    private Map.Entry<String, Entry> peek(String hex) {
        for (Map.Entry<String, Entry> e : index.entrySet()) {
            if (e.getKey().equals(hex)) {
                return Map.entry(e.getKey(), e.getValue());
            }
        }
        return null;
    }

    /** Drops {@code entry} from the index if it is still the current one, optionally deleting its files. */
    private void forget(String hex, Entry entry, boolean deleteFiles) {
        boolean removed;
        synchronized (lock) {
            removed = index.remove(hex, entry);
            if (removed) {
                totalBytes -= entry.artifact.size();
                unhold(entry);
            }
        }
        if (removed && deleteFiles) {
            deleteFiles(hex, entry);
        }
    }

    /** Deletes an artifact that has left the index, unless the same key was published again meanwhile. */
    private void deleteFiles(String hex, Entry entry) {
        synchronized (stripe(hex)) {
            synchronized (lock) {
                if (index.containsKey(hex)) {
                    return;
                }
            }
            try {
                // Artifact first: metadata without an artifact is harmless, an artifact without metadata is not.
                Files.deleteIfExists(entry.artifact.file());
                Files.deleteIfExists(entry.artifact.file().resolveSibling(hex + METADATA_SUFFIX));
            } catch (IOException e) {
                LOG.warnf(e, "could not delete cached artifact %s", hex);
            }
        }
    }

    // ---- startup ----

    private record Found(CachedArtifact artifact, List<String> holds, long lastModified) {
    }

    /** Removes crash leftovers and indexes every artifact that has valid metadata, oldest use first. */
    private void recover() throws IOException {
        Files.createDirectories(objects);
        for (Path scratch : List.of(work, trash)) {
            if (Files.exists(scratch)) {
                try {
                    FileTrees.deleteRecursively(scratch);
                } catch (IOException e) {
                    LOG.warnf(e, "could not remove leftover build directories below %s", scratch);
                }
            }
        }
        Files.createDirectories(work);
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(objects)) {
            for (Path prefixDir : prefixes) {
                String prefix = prefixDir.getFileName().toString();
                if (PREFIX.matcher(prefix).matches() && Files.isDirectory(prefixDir, LinkOption.NOFOLLOW_LINKS)) {
                    recoverPrefix(prefixDir, prefix, found);
                }
            }
        }
        found.sort(Comparator.comparingLong(Found::lastModified));
        synchronized (lock) {
            for (Found f : found) {
                Entry entry = new Entry(f.artifact(), f.holds(), f.lastModified());
                index.put(f.artifact().key().hex(), entry);
                hold(entry);
                totalBytes += f.artifact().size();
            }
        }
        LOG.infof("artifact cache at %s: %d artifacts, %d bytes (bound %d)", root, found.size(), totalBytes, maxBytes);
    }

    private void recoverPrefix(Path dir, String prefix, List<Found> found) throws IOException {
        List<Path> metadataFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(TMP_PREFIX)) {
                    LOG.infof("removing %s, left over from an interrupted publish", file);
                    Files.deleteIfExists(file);
                } else if (name.endsWith(METADATA_SUFFIX)) {
                    metadataFiles.add(file);
                } else if (KEY.matcher(name).matches() && name.startsWith(prefix)) {
                    Optional<Found> artifact = readValid(file, new CacheKey(name));
                    if (artifact.isPresent()) {
                        found.add(artifact.get());
                    } else {
                        LOG.warnf("deleting cached artifact %s: its metadata is missing or does not match it", file);
                        Files.deleteIfExists(file);
                        Files.deleteIfExists(dir.resolve(name + METADATA_SUFFIX));
                    }
                }
            }
        }
        for (Path metadata : metadataFiles) {
            String name = metadata.getFileName().toString();
            Path artifact = dir.resolve(name.substring(0, name.length() - METADATA_SUFFIX.length()));
            if (!Files.exists(artifact, LinkOption.NOFOLLOW_LINKS)) {
                LOG.infof("removing %s: its artifact was never published or was evicted", metadata);
                Files.deleteIfExists(metadata);
            }
        }
    }

    /** The artifact in {@code file} if its metadata is readable and agrees with it (no re-hashing). */
    private Optional<Found> readValid(Path file, CacheKey key) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            Metadata m = MetadataJson.JSON.readValue(file.resolveSibling(key.hex() + METADATA_SUFFIX).toFile(),
                    Metadata.class);
            boolean valid = m.version() == METADATA_VERSION
                    && key.hex().equals(m.key())
                    && m.size() == Files.size(file)
                    && isHex(m.sha256(), 64)
                    && (m.holds() == null || m.holds().stream().allMatch(h -> isHex(h, 64)));
            return valid ? Optional.of(new Found(new CachedArtifact(key, file, m.size(), Digest.sha256Hex(m.sha256())),
                    m.holds() == null ? List.of() : List.copyOf(m.holds()), Files.getLastModifiedTime(file).toMillis()))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "unreadable metadata for %s", file);
            return Optional.empty();
        }
    }

    private static boolean isHex(String value, int length) {
        return value != null && value.length() == length && HEX.matcher(value).matches();
    }

    // ---- file helpers ----

    /** Metadata goes in under a temporary name starting with {@link #TMP_PREFIX}: recovery removes leftovers. */
    private static void writeMetadata(Path target, Metadata metadata) throws IOException {
        AtomicFiles.write(target, MetadataJson.JSON.writeValueAsBytes(metadata));
    }
}
