package dev.imagefactory.build.iso;

import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The directory that becomes the ISO9660 tree (and the source of the ESP's files). */
final class ScratchTree {


    private final Path root;

    ScratchTree(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    Path root() {
        return root;
    }

    Path resolve(String relative) {
        return root.resolve(relative);
    }

    /** Copies a file in as {@code relative}, mode 0644 (the cache's copies are read-only). */
    void copy(Path source, String relative) throws IOException {
        Path target = parentCreated(relative);
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }

    void write(String relative, String text) throws IOException {
        Files.writeString(parentCreated(relative), text, StandardCharsets.UTF_8);
    }

    void write(String relative, byte[] bytes, String permissions) throws IOException {
        Path target = parentCreated(relative);
        Files.write(target, bytes);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
    }

    /** Sets every mtime below the root (the root included) to SOURCE_DATE_EPOCH, as upstream does. */
    void pinTimes() throws IOException {
        Reproducible.pinTimes(root);
    }

    private Path parentCreated(String relative) throws IOException {
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root)) {
            throw new IllegalArgumentException(relative + " is outside the ISO tree");
        }
        Files.createDirectories(target.getParent());
        return target;
    }
}
