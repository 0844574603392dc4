package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file of a release on the local disk, with the SHA-256 of its bytes. Build cache keys use the content digest,
 * so the directory and the OCI source give the same keys for the same bytes. Callers must not modify the file.
 */
public record ReleaseFile(Path path, String sha256) {
    public ReleaseFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
    }
}
