package dev.imagefactory.cache.s3;

import dev.imagefactory.cache.ArtifactContent;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.DamagedArtifactException;
import dev.imagefactory.cache.ExactLengthInputStream;
import dev.imagefactory.content.VerifyingInputStream;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An artifact read from the bucket. The length is always checked. An object this replica did not write (or check
 * before) has its SHA-256 checked as well: a whole read checks while streaming and fails before the last bytes;
 * a range of it is served only after one full pass proved the object sound (a range cannot be checked alone).
 */
final class S3ObjectContent implements ArtifactContent {

    private static final int CHECK_BUFFER = 1 << 16;

    private final S3ArtifactCache cache;
    private final CacheKey key;
    private final long size;
    private final Digest sha256;

    S3ObjectContent(S3ArtifactCache cache, CacheKey key, long size, Digest sha256) {
        this.cache = cache;
        this.key = key;
        this.size = size;
        this.sha256 = sha256;
    }

    @Override
    public Optional<Path> localFile() {
        return Optional.empty();
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        boolean whole = offset == 0 && length == size;
        if (!cache.isTrusted(key) && !whole) {
            try (InputStream check = verifying(get(0, size))) {
                byte[] sink = new byte[CHECK_BUFFER];
                while (check.read(sink) >= 0) {
                    // only the digest matters
                }
            }
        }
        InputStream in = get(offset, length);
        return cache.isTrusted(key) ? new ExactLengthInputStream(in, length, describe()) : verifying(in);
    }

    private InputStream verifying(InputStream in) {
        return new VerifyingInputStream(in, size, sha256, describe(), problem -> {
            cache.discard(key, problem);
            return new DamagedArtifactException(problem);
        }).whenVerified(() -> cache.trust(key));
    }

    private InputStream get(long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return cache.bucket().get(S3ArtifactCache.objectName(key), offset, length)
                .orElseThrow(() -> new NoSuchFileException("S3 object " + S3ArtifactCache.objectName(key)
                        + " disappeared"));
    }

    private String describe() {
        return "S3 object " + S3ArtifactCache.objectName(key);
    }
}
