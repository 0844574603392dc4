package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import dev.imagefactory.content.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps each schematic as {@code <data-dir>/schematics/<first two hex digits>/<id>.yaml}. A write goes to a
 * temporary file in the same directory, is flushed to disk and then atomically renamed, so a crash never
 * leaves a partial schematic visible. Reads check the content against the ID. Created by
 * {@link dev.imagefactory.cache.CacheBeans} for {@code factory.cache.backend=filesystem}.
 */
public class FileSchematicStore implements SchematicStore {

    private static final Logger LOG = Logger.getLogger(FileSchematicStore.class);

    private final Path root;

    public FileSchematicStore(Path root) {
        this.root = root;
    }

    private Path pathOf(SchematicId id) {
        return root.resolve(id.value().substring(0, 2)).resolve(id.value() + ".yaml");
    }

    @Override
    public boolean put(SchematicId id, byte[] canonicalYaml) {
        Path target = pathOf(id);
        if (Files.exists(target)) {
            return false;
        }
        try {
            AtomicFiles.write(target, canonicalYaml);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("storing schematic " + id + " failed", e);
        }
    }

    @Override
    public Optional<byte[]> get(SchematicId id) {
        Path path = pathOf(id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading schematic " + id + " failed", e);
        }
        if (!SchematicCodec.sha256Hex(bytes).equals(id.value())) {
            // Damaged on disk: set it aside so the same schematic can be created again.
            LOG.errorf("schematic %s does not match its content hash; moving it aside", id);
            try {
                Files.move(path, path.resolveSibling(path.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                LOG.warnf(e, "could not move damaged schematic %s aside", id);
            }
            return Optional.empty();
        }
        return Optional.of(bytes);
    }
}
