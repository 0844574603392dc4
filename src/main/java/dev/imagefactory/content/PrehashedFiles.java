package dev.imagefactory.content;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Files whose SHA-256 and size were taken, and which were flushed to disk, while they were written
 * ({@link HashedFileWriter}): publishing one uses that instead of reading it again. A file is known by its inode, so
 * a step may still rename it into place; it counts only while its size and modification time are the ones recorded,
 * so a file changed after it was finished is hashed as any other. Taking a record removes it; records of files never
 * published (a failed build) are dropped oldest first beyond {@link #KEPT}.
 */
public final class PrehashedFiles {

    static final int KEPT = 256;

    private record Recorded(long size, FileTime modified, ConcurrentDigests.FileDigests digests) {
    }

    private static final Map<Object, Recorded> RECORDS = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Recorded> eldest) {
            return size() > KEPT;
        }
    };

    private PrehashedFiles() {
    }

    static void remember(Path file, ConcurrentDigests.FileDigests digests) throws IOException {
        BasicFileAttributes attributes = attributes(file);
        if (attributes.fileKey() == null || attributes.size() != digests.size()) {
            return; // a file system without inode keys, or the file changed meanwhile: it will be hashed
        }
        synchronized (RECORDS) {
            RECORDS.put(attributes.fileKey(), new Recorded(attributes.size(), attributes.lastModifiedTime(), digests));
        }
    }

    /** The digests recorded for {@code file} as it is now, if any (the record is removed either way). */
    public static Optional<ConcurrentDigests.FileDigests> take(Path file) throws IOException {
        BasicFileAttributes attributes = attributes(file);
        if (attributes.fileKey() == null) {
            return Optional.empty();
        }
        Recorded recorded;
        synchronized (RECORDS) {
            recorded = RECORDS.remove(attributes.fileKey());
        }
        if (recorded == null || recorded.size() != attributes.size()
                || !recorded.modified().equals(attributes.lastModifiedTime())) {
            return Optional.empty();
        }
        return Optional.of(recorded.digests());
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
}
