package dev.imagefactory.cache;

import java.nio.file.Path;

/**
 * A published, immutable artifact: where its bytes are ({@code content}) and facts computed once while it was
 * published. A local file is never modified; eviction may delete it, so readers open it promptly (an open file stays
 * readable).
 */
public record CachedArtifact(CacheKey key, ArtifactContent content, long size, String sha256, String sha512) {

    /** An artifact held in a local file. */
    public CachedArtifact(CacheKey key, Path file, long size, String sha256, String sha512) {
        this(key, new LocalFileContent(file), size, sha256, sha512);
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
