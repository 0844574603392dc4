package dev.imagefactory.cache;

import java.nio.file.Path;

/**
 * A published, immutable artifact: its bytes in {@code file} and facts computed once while it was published.
 * The file is never modified; eviction may delete it, so readers open it promptly (an open file stays readable).
 */
public record CachedArtifact(CacheKey key, Path file, long size, String sha256, String sha512) {
}
