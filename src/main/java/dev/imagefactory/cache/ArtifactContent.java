package dev.imagefactory.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** Where a cached artifact's bytes are read from: a local file, or an object in the shared bucket. */
public interface ArtifactContent {

    /** The local file holding the bytes, when there is one (build steps that need a path use it). */
    Optional<Path> localFile();

    /**
     * A stream of exactly {@code length} bytes from {@code offset}. It fails with an {@link IOException} instead of
     * delivering bytes that do not match the artifact's recorded size (or digest, where the store has to check it),
     * so a reader never takes a damaged artifact for a complete one. Opening may throw
     * {@link dev.imagefactory.errors.StorageUnavailableException} when the store cannot be reached.
     */
    InputStream open(long offset, long length) throws IOException;
}
