package dev.imagefactory.content;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import org.jboss.logging.Logger;

/**
 * Publishes files and directories so that no reader ever sees half of one: the content is written to a temporary
 * name in the target's own directory (same file system, so the rename is atomic), flushed to disk, then renamed
 * into place, and the directory is flushed so the rename survives a crash. On any failure the temporary file is
 * removed and the target is left as it was. Temporary names start with {@value #TEMP_PREFIX}, so a sweep after a
 * crash can recognise leftovers.
 */
public final class AtomicFiles {

    /** Every temporary name starts with this. */
    public static final String TEMP_PREFIX = ".tmp-";

    private static final Logger LOG = Logger.getLogger(AtomicFiles.class);
    private static final int MAX_NAME_IN_TEMP = 100;

    /** Writes the content of a file. */
    @FunctionalInterface
    public interface StreamWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a temporary file or directory in place (e.g. a tool that writes to a path). */
    @FunctionalInterface
    public interface PathWriter {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content}. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    /** Replaces {@code target} with what {@code writer} writes. */
    public static void write(Path target, StreamWriter writer) throws IOException {
        writeFile(target, temporary -> {
            try (OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.writeTo(out);
            }
        });
    }

    /**
     * Replaces {@code target} with the file {@code writer} leaves at the (existing, empty) temporary path it is
     * given; the writer may also replace that file.
     */
    public static void writeFile(Path target, PathWriter writer) throws IOException {
        writeAndRename(target, writer, true);
    }

    /**
     * {@link #writeFile} for a file a build step leaves in its work directory for the cache to publish: written under
     * a temporary name and renamed, so {@code target} is complete or absent, but not flushed. The cache flushes what it
     * publishes while it hashes it, both at once; flushing here first made a cold build wait for the write-back of
     * each disk image (hundreds of MB) before the hashing could start. A work directory does not outlive its build.
     */
    public static void writeWorkFile(Path target, PathWriter writer) throws IOException {
        writeAndRename(target, writer, false);
    }

    /** The writer's file under a temporary name beside {@code target}, renamed over it; flushed first when durable. */
    private static void writeAndRename(Path target, PathWriter writer, boolean durable) throws IOException {
        Path dir = parentOf(target);
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, tempPrefix(target), "");
        try {
            writer.writeTo(temporary);
            if (durable) {
                force(temporary);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (durable) {
                syncDirectory(dir);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Renames the finished file {@code source} to {@code target} (replacing it) atomically and flushes the target's
     * directory. The caller has flushed {@code source} itself (e.g. while hashing it).
     */
    public static void move(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(parentOf(target));
    }

    /**
     * Publishes a directory: {@code filler} fills an empty temporary directory beside {@code target} (made with
     * {@code attributes}), which is then renamed to {@code target}. Content-addressed directories never change, so
     * when another writer published {@code target} first, ours is discarded and false returned. The files inside
     * are not flushed one by one (a flattened image holds thousands); the directories published this way hold
     * content that can be derived again.
     */
    public static boolean publishDirectory(Path target, PathWriter filler, FileAttribute<?>... attributes)
            throws IOException {
        Path dir = parentOf(target);
        Files.createDirectories(dir);
        Path temporary = Files.createTempDirectory(dir, tempPrefix(target), attributes);
        try {
            filler.writeTo(temporary);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // rename(2) refuses a non-empty target with ENOTEMPTY, which the JDK reports as a plain
                // FileSystemException: whether another writer won is best told by looking
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                throw e;
            }
            syncDirectory(dir);
            temporary = null;
            return true;
        } finally {
            if (temporary != null) {
                deleteTree(temporary);
            }
        }
    }

    /** Whether {@code name} is one of this class's temporary names. */
    public static boolean isTemporary(Path path) {
        return path.getFileName().toString().startsWith(TEMP_PREFIX);
    }

    /** Flushes a directory's entries to disk; not every platform can open a directory, which only costs durability. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debugf(e, "could not flush directory %s", dir);
        }
    }

    private static String tempPrefix(Path target) {
        String name = target.getFileName().toString();
        return TEMP_PREFIX + (name.length() > MAX_NAME_IN_TEMP ? name.substring(0, MAX_NAME_IN_TEMP) : name) + "-";
    }

    private static Path parentOf(Path target) {
        return target.toAbsolutePath().getParent();
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) { // fsync needs no write access
            channel.force(true);
        }
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.deleteRecursively(root);
        } catch (IOException e) {
            LOG.warnf("cannot delete temporary directory %s: %s", root, e.getMessage());
        }
    }
}
