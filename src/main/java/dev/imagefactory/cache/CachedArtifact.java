package dev.imagefactory.cache;

import dev.imagefactory.model.Digest;
import java.nio.file.Path;

/**
 * A published, immutable artifact: where its bytes are ({@code content}) and facts computed once while it was
 * published. A local file is never modified; eviction may delete it, so readers open it promptly (an open file stays
 * readable).
 */
public record CachedArtifact(CacheKey key, ArtifactContent content, long size, Digest sha256Digest) {

    /** An artifact held in a local file. */
    public CachedArtifact(CacheKey key, Path file, long size, Digest sha256Digest) {
        this(key, new LocalFileContent(file), size, sha256Digest);
    }

    /** The SHA-256 as 64 hex characters, as checksum files, ETags and cache metadata write it. */
    public String sha256() {
        return sha256Digest.hex();
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
}
