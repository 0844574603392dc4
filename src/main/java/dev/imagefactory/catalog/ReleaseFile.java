package dev.imagefactory.catalog;

import dev.imagefactory.model.Digest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file of a release on the local disk, with the digest of its bytes. Build cache keys use the content digest, so
 * the directory and the OCI source give the same keys for the same bytes. Callers must not modify the file.
 */
public record ReleaseFile(Path path, Digest digest) {
    public ReleaseFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(digest, "digest");
    }

    /** The SHA-256 as 64 hex characters, the form build cache keys are made of. */
    public String sha256() {
        return digest.hex();
    }
}
