package dev.imagefactory.cache;

import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A published, immutable artifact: where its bytes are ({@code content}), its size and its SHA-256. A local file is
 * never modified; eviction may delete it, so readers open it promptly (an open file stays readable).
 *
 * <p>The SHA-256 of an intermediate may still be being computed when the artifact is handed out ({@link #hashing}):
 * the step that needs the intermediate reads its file at once, and only a caller of {@link #sha256Digest} waits.
 */
public final class CachedArtifact {

    private final CacheKey key;
    private final ArtifactContent content;
    private final long size;
    private final CompletableFuture<Digest> sha256;

    public CachedArtifact(CacheKey key, ArtifactContent content, long size, Digest sha256Digest) {
        this(key, content, size, CompletableFuture.completedFuture(Objects.requireNonNull(sha256Digest)));
    }

    /** An artifact held in a local file. */
    public CachedArtifact(CacheKey key, Path file, long size, Digest sha256Digest) {
        this(key, new LocalFileContent(file), size, sha256Digest);
    }

    private CachedArtifact(CacheKey key, ArtifactContent content, long size, CompletableFuture<Digest> sha256) {
        this.key = Objects.requireNonNull(key);
        this.content = Objects.requireNonNull(content);
        this.size = size;
        this.sha256 = sha256;
    }

    /** A local artifact whose SHA-256 {@code sha256} completes with (exceptionally with an IOException if not). */
    static CachedArtifact hashing(CacheKey key, Path file, long size, CompletableFuture<Digest> sha256) {
        return new CachedArtifact(key, new LocalFileContent(file), size, sha256);
    }

    public CacheKey key() {
        return key;
    }

    public ArtifactContent content() {
        return content;
    }

    public long size() {
        return size;
    }

    /**
     * The SHA-256, waiting for it while it is being computed.
     *
     * @throws UncheckedIOException when it could not be computed (the file could not be read)
     */
    public Digest sha256Digest() {
        try {
            return sha256.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? new UncheckedIOException("artifact " + key + " could not be hashed: "
                    + io.getMessage(), io) : new IllegalStateException("artifact " + key + " could not be hashed", cause);
        }
    }

    /** Whether the SHA-256 is known (always, except for an intermediate just published). */
    public boolean sha256Known() {
        return sha256.isDone() && !sha256.isCompletedExceptionally();
    }

    /** The SHA-256 as 64 hex characters, as checksum files, ETags and cache metadata write it. */
    public String sha256() {
        return sha256Digest().hex();
    }

    /**
     * The local file. Intermediates always have one; a final artifact read from the shared bucket has none until
     * {@code ArtifactBuilds.localFile} copied it to local disk.
     *
     * @throws IllegalStateException when the artifact is only in remote storage
     */
    public Path file() {
        return content.localFile().orElseThrow(() -> new IllegalStateException("artifact " + key
                + " is held remotely; use ArtifactBuilds.localFile for a local copy"));
    }

    /** Same key, content and size, and the same SHA-256 (or the same pending computation of it). */
    @Override
    public boolean equals(Object o) {
        return o instanceof CachedArtifact other && key.equals(other.key) && content.equals(other.content)
                && size == other.size && (sha256 == other.sha256
                        || sha256Known() && other.sha256Known() && sha256.join().equals(other.sha256.join()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, content, size);
    }

    @Override
    public String toString() {
        return "CachedArtifact[" + key + ", " + size + " bytes" + (sha256Known() ? ", sha256 " + sha256() : "") + "]";
    }
}
