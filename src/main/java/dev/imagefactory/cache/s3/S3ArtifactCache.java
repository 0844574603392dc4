package dev.imagefactory.cache.s3;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.BuildClaim;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.FileArtifactCache;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.model.Digest;
import dev.imagefactory.content.FileTrees;
import io.minio.StatObjectResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The artifact cache of {@code factory.cache.backend=s3}: final artifacts in a bucket shared by every replica
 * ({@code assets/<key>}, user metadata {@code sha256}, {@code size}; objects of earlier versions also carry
 * {@code sha512}), over the local {@link FileArtifactCache}, which keeps intermediates and this replica's recently
 * used artifacts within {@code factory.cache.max-size}.
 *
 * <ul>
 * <li><b>Publish</b>: into the local cache (hashing it once), then a multipart upload from that file. If the upload
 * fails, the local copy is removed too, so a failed publish leaves nothing anywhere.</li>
 * <li><b>Lookup</b>: the local cache first, then a HEAD of the object. An object whose metadata is missing or
 * disagrees with its size is deleted and counts as a miss (it gets rebuilt).</li>
 * <li><b>Reads</b> ({@link S3ObjectContent}) always check the length; the SHA-256 is checked too for objects this
 * replica neither wrote nor checked before, while the bytes stream to the client.</li>
 * <li><b>Builds</b> across replicas are coordinated by {@link S3BuildLeases}.</li>
 * </ul>
 */
public class S3ArtifactCache implements ArtifactCache {

    private static final Logger LOG = Logger.getLogger(S3ArtifactCache.class);
    static final String PREFIX = "assets/";
    private static final int TRUSTED_KEYS = 100_000;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final S3Bucket bucket;
    private final FileArtifactCache local;
    private final S3BuildLeases leases;
    /** Keys whose object this replica wrote or has read through in full with a matching SHA-256. */
    private final Set<String> trusted = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > TRUSTED_KEYS;
                }
            }));

    public S3ArtifactCache(S3Bucket bucket, FileArtifactCache local, S3BuildLeases leases) {
        this.bucket = bucket;
        this.local = local;
        this.leases = leases;
    }

    /** The artifact's object in the bucket. */
    public static String objectName(CacheKey key) {
        return PREFIX + key.hex();
    }

    @Override
    public Optional<CachedArtifact> lookup(CacheKey key) {
        Optional<CachedArtifact> near = local.lookup(key);
        return near.isPresent() ? near : lookupShared(key);
    }

    /** The object in the bucket, if it is there with sound metadata. */
    Optional<CachedArtifact> lookupShared(CacheKey key) {
        Optional<StatObjectResponse> stat = bucket.stat(objectName(key));
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> meta = stat.get().userMetadata();
        String sha256 = meta.get("sha256");
        String size = meta.get("size");
        if (sha256 == null || !HEX64.matcher(sha256).matches()
                || size == null || !size.equals(Long.toString(stat.get().size()))) {
            discard(key, "its metadata is missing or does not match its size (" + stat.get().size() + " bytes, "
                    + "metadata " + meta + ")");
            return Optional.empty();
        }
        long length = stat.get().size();
        Digest digest = Digest.sha256Hex(sha256);
        return Optional.of(new CachedArtifact(key, new S3ObjectContent(this, key, length, digest), length, digest));
    }

    @Override
    public CachedArtifact publish(CacheKey key, Path built) {
        try (ArtifactLease published = publishPinned(key, built, Set.of())) {
            return published.artifact();
        }
    }

    /**
     * Into the local cache (leased there, so it stays for the upload and for the caller), then into the bucket. Of
     * {@code holds}, the local copies are held; what is only in the bucket needs no hold (the bucket never evicts).
     */
    @Override
    public ArtifactLease publishPinned(CacheKey key, Path built, Set<CacheKey> holds) {
        Set<CacheKey> localHolds = holds.stream().filter(local::contains).collect(java.util.stream.Collectors.toSet());
        ArtifactLease lease = local.publishPinned(key, built, localHolds);
        CachedArtifact artifact = lease.artifact();
        try {
            bucket.upload(objectName(key), artifact.file(), "application/octet-stream", Map.of(
                    "sha256", artifact.sha256(), "size", Long.toString(artifact.size())));
        } catch (RuntimeException e) {
            lease.close();
            local.remove(key); // not shared, so not kept: the request fails and the next one starts afresh
            throw e;
        }
        trusted.add(key.hex());
        return lease;
    }

    /** Local copies are leased in the local cache; an object in the bucket is never evicted, so it needs none. */
    @Override
    public Optional<ArtifactLease> pin(CachedArtifact artifact) {
        return artifact.content().localFile().isPresent() ? local.pin(artifact)
                : Optional.of(ArtifactLease.unpinned(artifact));
    }

    @Override
    public Path newWorkDir(String purpose) {
        return local.newWorkDir(purpose);
    }

    @Override
    public void discardWorkDir(Path dir) throws java.io.IOException {
        local.discardWorkDir(dir);
    }

    @Override
    public Optional<CachedArtifact> lookupLocal(CacheKey key) {
        return local.lookup(key);
    }

    @Override
    public CachedArtifact publishLocal(CacheKey key, Path built) {
        return local.publish(key, built);
    }

    @Override
    public ArtifactLease publishLocalPinned(CacheKey key, Path built) {
        return local.publishLocalPinned(key, built);
    }

    @Override
    public BuildClaim claim(CacheKey key, Duration maxWait) {
        return leases.claim(key, maxWait, () -> lookupShared(key));
    }

    /** Copies a shared artifact into the local cache (checked on the way) for a build step that needs a file. */
    @Override
    public ArtifactLease localFile(CachedArtifact artifact) {
        if (artifact.content().localFile().isPresent()) {
            return local.localFile(artifact);
        }
        Optional<ArtifactLease> near = local.lookupPinned(artifact.key());
        if (near.isPresent()) {
            return near.get();
        }
        Path work = local.newWorkDir("download");
        try {
            Path copy = work.resolve("artifact");
            try (InputStream in = artifact.content().open(0, artifact.size());
                    OutputStream out = Files.newOutputStream(copy)) {
                in.transferTo(out);
            }
            return local.publishPinned(artifact.key(), copy, Set.of());
        } catch (IOException e) {
            throw new StorageUnavailableException("copying artifact " + artifact.key() + " from S3 failed: "
                    + e.getMessage(), e);
        } finally {
            try {
                FileTrees.deleteRecursively(work);
            } catch (IOException e) {
                LOG.warnf(e, "could not delete %s", work);
            }
        }
    }

    // ---- used by S3ObjectContent ----

    S3Bucket bucket() {
        return bucket;
    }

    boolean isTrusted(CacheKey key) {
        return trusted.contains(key.hex());
    }

    void trust(CacheKey key) {
        trusted.add(key.hex());
    }

    /** Removes a damaged artifact everywhere, so the next request rebuilds it. Never throws. */
    void discard(CacheKey key, String problem) {
        LOG.errorf("shared artifact %s is damaged: %s; deleting it so that it is rebuilt", key, problem);
        trusted.remove(key.hex());
        local.remove(key);
        try {
            bucket.delete(objectName(key));
        } catch (RuntimeException e) {
            LOG.errorf("could not delete damaged artifact %s: %s", key, e.getMessage());
        }
    }

}
