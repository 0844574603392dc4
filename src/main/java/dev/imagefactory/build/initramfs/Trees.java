package dev.imagefactory.build.initramfs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Directory-tree helpers for build work dirs. */
final class Trees {

    private Trees() {
    }

    /** Copies {@code source}'s contents into {@code target}, merging directories and replacing files. */
    static void copyInto(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                Files.deleteIfExists(to);
                Files.copy(file, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Every path below {@code root}, relative, depth first with a directory before its children and siblings in
     * name order: the order Go's filepath.WalkDir gives, which fixes the order of entries in the imager's cpio.
     */
    static List<String> walkOrder(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        walk(root, "", out);
        return out;
    }

    private static void walk(Path dir, String prefix, List<String> out) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        for (Path child : children) {
            String rel = prefix + child.getFileName();
            out.add(rel);
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                walk(child, rel + "/", out);
            }
        }
    }
}
