package dev.imagefactory.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** An artifact in a file of the local cache (written or checked by this process, so it is trusted as it is). */
public record LocalFileContent(Path file) implements ArtifactContent {

    @Override
    public Optional<Path> localFile() {
        return Optional.of(file);
    }

    /** Opens the file now (a later eviction cannot break the read) and ends after {@code length} bytes. */
    @Override
    public InputStream open(long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(offset);
        return new ExactLengthInputStream(Channels.newInputStream(channel), length, "artifact file " + file);
    }
}
