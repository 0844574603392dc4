package dev.imagefactory.content;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Pins what archivers record besides content (mtimes, permission bits) so a tree built twice gives the same bytes:
 * mtimes become {@code SOURCE_DATE_EPOCH}, files 0644 (0755 if executable), directories 0755.
 */
public final class Reproducible {

    /**
     * The time every reproducible output is stamped with, in seconds since 1970 (2019-06-01 21:34:52 UTC), pinned
     * like upstream: tools get it as {@code SOURCE_DATE_EPOCH}, archives and images record it as their mtimes and
     * creation dates.
     */
    public static final long SOURCE_DATE_EPOCH = 1559424892L;
    private static final FileTime EPOCH = FileTime.fromMillis(SOURCE_DATE_EPOCH * 1000);

    private Reproducible() {
    }

    public static void normalize(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    boolean exec = Files.isExecutable(file);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    Files.setLastModifiedTime(file, EPOCH);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setLastModifiedTime(dir, EPOCH);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Only mtimes, the root's included (keeps modes chosen on purpose, e.g. a 0400 config file or 0444 seed). */
    public static void pinTimes(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isSymbolicLink()) {
                    Files.getFileAttributeView(file, java.nio.file.attribute.BasicFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS).setTimes(EPOCH, null, null);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.setLastModifiedTime(dir, EPOCH);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
