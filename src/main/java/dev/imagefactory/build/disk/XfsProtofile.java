package dev.imagefactory.build.disk;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The mkfs.xfs prototype file for a directory tree (mkfs.xfs(8) "-p"; Talos {@code pkg/makefs/protofile.go}): every
 * entry owned by 0:0 with its mode (type, setuid, setgid, permission bits) kept; in each directory the files first,
 * then the subdirectories, each sorted by name, so inode numbers follow the names and not the host's directory order.
 * Regular files are named by their path relative to the source directory (mkfs.xfs runs there): the format is split
 * at blanks, so a path with one could not be written, wherever the source directory is.
 */
final class XfsProtofile {

    /** A name the format can carry: no blanks or control characters, and not the directory end marker. */
    private static final Pattern NAME = Pattern.compile("[^\\s\\p{Cntrl}]+");

    private XfsProtofile() {
    }

    /** Writes the protofile for {@code sourceDir} to {@code target}. */
    static void write(Path sourceDir, Path target) throws IOException {
        if (!Files.isDirectory(sourceDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(sourceDir + " is not a directory");
        }
        try (Writer out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            out.write("/\n0 0\n");
            out.write(mode(sourceDir, 'd') + "\n");
            directory(out, sourceDir, sourceDir, 1);
            out.write("$\n");
        }
    }

    private static void directory(Writer out, Path root, Path dir, int depth) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            children.sorted().forEach(child -> (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) ? dirs : files)
                    .add(child));
        }
        String indent = " ".repeat(depth);
        for (Path file : files) {
            String name = name(file);
            if (Files.isSymbolicLink(file)) {
                String target = Files.readSymbolicLink(file).toString();
                if (!NAME.matcher(target).matches()) {
                    throw new IllegalArgumentException("symbolic link " + file + " -> \"" + target
                            + "\" cannot be written to an XFS protofile");
                }
                out.write(indent + name + " " + mode(file, 'l') + " " + target + "\n");
            } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                String relative = root.relativize(file).toString();
                out.write(indent + name + " " + mode(file, '-') + " " + relative + "\n");
            } else {
                throw new IllegalArgumentException(file + " is neither a file, a directory nor a symbolic link");
            }
        }
        for (Path sub : dirs) {
            out.write(indent + name(sub) + " " + mode(sub, 'd') + "\n");
            directory(out, root, sub, depth + 1);
            out.write(indent + "$\n");
        }
    }

    private static String name(Path entry) {
        String name = entry.getFileName().toString();
        if (!NAME.matcher(name).matches() || name.equals("$")) {
            throw new IllegalArgumentException("\"" + name + "\" (in " + entry.getParent()
                    + ") cannot be written to an XFS protofile: blanks, control characters and \"$\" are not allowed");
        }
        return name;
    }

    /** {@code <type><u|-><g|-><octal permissions> 0 0}, e.g. {@code ---644 0 0}. */
    private static String mode(Path entry, char type) throws IOException {
        int mode = (Integer) Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return String.format("%c%c%c%03o 0 0", type, (mode & 04000) != 0 ? 'u' : '-', (mode & 02000) != 0 ? 'g' : '-',
                mode & 0777);
    }
}
