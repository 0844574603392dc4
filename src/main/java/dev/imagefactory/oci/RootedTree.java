package dev.imagefactory.oci;

import dev.imagefactory.content.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The directory a flattener fills, treated as the image's {@code /}. Paths are resolved component by component so
 * that a symlink in the tree is followed the way it would be inside the image (absolute targets from the image
 * root) and a path that would leave the root, through {@code ..} or a symlink, is refused. Directory modes are
 * applied only at the end, so a read-only directory of a lower layer can still receive files of upper layers.
 */
final class RootedTree {

    /** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
    private static final int MAX_SYMLINKS = 40;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private record DirectoryAttributes(int mode, FileTime modified) {
    }

    private final Path root;
    private final Map<Path, DirectoryAttributes> directories = new HashMap<>();

    RootedTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /**
     * The components of a tar entry name ({@code ./usr/lib/} → {@code [usr, lib]}); empty for the root itself.
     * Absolute names and {@code ..} are refused: a layer names paths relative to the image root.
     */
    static List<String> components(String name, String where) throws UnsafeLayerEntryException {
        if (name.startsWith("/")) {
            throw new UnsafeLayerEntryException(where + ": absolute path \"" + name + "\"");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new UnsafeLayerEntryException(where + ": path \"" + name + "\" contains \"..\"");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    /**
     * Where the entry named by {@code components} goes: its parent directories resolved (symlinks followed inside
     * the root, missing ones created and reported to {@code traversed}), its last component not followed.
     */
    Path place(List<String> components, String where, Consumer<Path> traversed) throws IOException {
        Path parent = resolveDirectory(components.subList(0, components.size() - 1), where, true, traversed);
        return parent.resolve(components.get(components.size() - 1));
    }

    /** Like {@link #place} but creates nothing; null when a parent directory does not exist. */
    Path locate(List<String> components, String where) throws IOException {
        Path parent = resolveDirectory(components.subList(0, components.size() - 1), where, false, p -> { });
        return parent == null ? null : parent.resolve(components.get(components.size() - 1));
    }

    /** Resolves a directory path, following every component including the last. */
    Path resolveDirectory(List<String> components, String where, boolean create, Consumer<Path> traversed)
            throws IOException {
        Deque<String> pending = new ArrayDeque<>(components);
        Deque<String> current = new ArrayDeque<>();
        int links = 0;
        String lastLink = null;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (current.isEmpty()) {
                    throw new UnsafeLayerEntryException(where + ": leaves the image root through symlink " + lastLink);
                }
                current.pollLast();
                continue;
            }
            Path path = join(current).resolve(part);
            if (Files.isSymbolicLink(path)) {
                if (++links > MAX_SYMLINKS) {
                    throw new UnsafeLayerEntryException(where + ": too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(path).toString();
                lastLink = "/" + root.relativize(path) + " -> " + target;
                if (target.startsWith("/")) {
                    current.clear();
                }
                List<String> targetParts = List.of(target.split("/"));
                for (int i = targetParts.size() - 1; i >= 0; i--) {
                    pending.addFirst(targetParts.get(i));
                }
                continue;
            }
            if (!Files.exists(path, NOFOLLOW)) {
                if (!create) {
                    return null;
                }
                Files.createDirectory(path);
            } else if (!Files.isDirectory(path, NOFOLLOW)) {
                throw new OciException(where + ": /" + root.relativize(path) + " is not a directory");
            }
            current.addLast(part);
            traversed.accept(path);
        }
        return join(current);
    }

    /** Removes whatever is at {@code path} (a directory with its contents; a symlink itself, never its target). */
    static void remove(Path path) throws IOException {
        FileTrees.deleteRecursively(path);
    }

    /** Remembers a directory's mode and time for {@link #finish()}; the last layer to declare it wins. */
    void deferDirectoryAttributes(Path dir, int mode, FileTime modified) {
        directories.put(dir, new DirectoryAttributes(mode, modified));
    }

    /** Applies directory modes and times, deepest first so a parent's time is not disturbed afterwards. */
    void finish() throws IOException {
        List<Path> dirs = new ArrayList<>(directories.keySet());
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path dir : dirs) {
            if (Files.isDirectory(dir, NOFOLLOW)) {
                DirectoryAttributes attributes = directories.get(dir);
                Files.setLastModifiedTime(dir, attributes.modified());
                setMode(dir, attributes.mode());
            }
        }
    }

    /** Sets all twelve mode bits (setuid, setgid, sticky too) where the file system allows, else the nine rwx. */
    static void setMode(Path path, int mode) throws IOException {
        try {
            Files.setAttribute(path, "unix:mode", mode & 07777, NOFOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high to low
            for (int i = 0; i < bits.length; i++) {
                if ((mode & (0400 >> i)) != 0) {
                    permissions.add(bits[i]);
                }
            }
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private Path join(Deque<String> parts) {
        Path path = root;
        for (String part : parts) {
            path = path.resolve(part);
        }
        return path;
    }
}
