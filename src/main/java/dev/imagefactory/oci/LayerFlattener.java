package dev.imagefactory.oci;

import dev.imagefactory.content.ReadAheadInputStream;
import dev.imagefactory.content.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies an image's layers, lowest first, to a directory, giving the image's file system as {@code crane export}
 * would: tar, tar+gzip or tar+zstd layers; OCI whiteouts ({@code .wh.<name>} hides a lower entry,
 * {@code .wh..wh..opq} hides a directory's lower contents) that hide only what lower layers wrote; hard links,
 * symlinks, file modes and times. Entries that would land outside the directory are refused
 * ({@link UnsafeLayerEntryException}). Layers are streamed and verified against their digests; a mismatch fails
 * the call after the layer was applied, so callers flatten into a scratch directory and discard it on failure.
 * Devices and FIFOs are skipped: an unprivileged process cannot create them and extensions may not ship them.
 */
public final class LayerFlattener {

    /** What a tar entry is, for {@link EntryFilter}s. */
    public enum EntryKind { DIRECTORY, FILE, SYMLINK, HARDLINK, OTHER }

    /** Chooses the entries to write; whiteouts are always applied, so hidden content never survives a filter. */
    @FunctionalInterface
    public interface EntryFilter {
        /** @param path the entry's path relative to the image root, without a leading {@code ./} or {@code /} */
        boolean accepts(String path, EntryKind kind);
    }

    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_WHITEOUT = ".wh..wh..opq";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private static final int COPY_BUFFER = 256 << 10;

    private final EntryFilter filter;

    private LayerFlattener(EntryFilter filter) {
        this.filter = filter;
    }

    public static LayerFlattener everything() {
        return new LayerFlattener((path, kind) -> true);
    }

    /** Only regular files below {@code prefix} (e.g. {@code usr/install/}), as upstream extracts the imager. */
    public static LayerFlattener regularFilesUnder(String prefix) {
        return new LayerFlattener((path, kind) -> kind == EntryKind.FILE && path.startsWith(prefix));
    }

    public static LayerFlattener filtered(EntryFilter filter) {
        return new LayerFlattener(filter);
    }

    /** Applies {@code layers} from {@code blobs} into {@code target} (created when missing). */
    public void flatten(BlobSource blobs, List<Descriptor> layers, Path target) throws IOException {
        Files.createDirectories(target);
        RootedTree tree = new RootedTree(target);
        for (Descriptor layer : layers) {
            LayerCompression.checkLayerMediaType(layer);
            try (VerifyingInputStream raw = blobs.open(layer)) {
                applyLayer(raw, new LayerState(tree, "layer " + layer.digest()));
            }
        }
        tree.finish();
    }

    private void applyLayer(VerifyingInputStream raw, LayerState layer) throws IOException {
        // the blob is read and verified a few MiB ahead, on another core than the unpacking and writing
        ReadAheadInputStream ahead = ReadAheadInputStream.of(raw);
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(LayerCompression.decompress(ahead));
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                apply(entry, tar, layer);
            }
        } catch (UnsafeLayerEntryException e) {
            ahead.close();
            throw e;
        } catch (IOException e) {
            // an unreadable archive is most often a corrupted blob: say so when the digest confirms it
            try {
                ahead.awaitSourceEnd();
                raw.verifyToEnd();
            } catch (DigestMismatchException mismatch) {
                if (mismatch != e) { // the reader may have handed on the mismatch itself
                    mismatch.addSuppressed(e);
                }
                throw mismatch;
            } catch (IOException ignored) {
                // report the original failure
            }
            throw e instanceof OciException ? e : new OciException(layer.where + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            ahead.close();
            throw e;
        }
        ahead.awaitSourceEnd(); // the padding after the archive's end, read and verified there
        raw.verifyToEnd();
    }

    private void apply(TarArchiveEntry entry, InputStream content, LayerState layer) throws IOException {
        String where = layer.where + ": " + entry.getName();
        List<String> parts = RootedTree.components(entry.getName(), layer.where);
        if (parts.isEmpty()) {
            return; // the root directory itself
        }
        String name = parts.get(parts.size() - 1);
        if (name.equals(OPAQUE_WHITEOUT)) {
            Path dir = layer.tree.resolveDirectory(parts.subList(0, parts.size() - 1), where, false, p -> { });
            if (dir != null) {
                layer.hideLowerContents(dir);
            }
            return;
        }
        if (name.startsWith(WHITEOUT_PREFIX)) {
            String hidden = name.substring(WHITEOUT_PREFIX.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw new UnsafeLayerEntryException(where + ": whiteout of \"" + hidden + "\"");
            }
            Path parent = layer.tree.resolveDirectory(parts.subList(0, parts.size() - 1), where, false, p -> { });
            if (parent != null) {
                layer.hideLower(parent.resolve(hidden));
            }
            return;
        }
        EntryKind kind = kindOf(entry);
        if (kind == EntryKind.OTHER || !filter.accepts(String.join("/", parts), kind)) {
            return;
        }
        Path path = layer.tree.place(parts, where, layer.written::add);
        switch (kind) {
            case DIRECTORY -> {
                if (Files.exists(path, NOFOLLOW) && !Files.isDirectory(path, NOFOLLOW)) {
                    Files.delete(path);
                }
                if (!Files.exists(path, NOFOLLOW)) {
                    Files.createDirectory(path);
                }
                layer.tree.deferDirectoryAttributes(path, entry.getMode(), entry.getLastModifiedTime());
            }
            case FILE -> {
                RootedTree.remove(path);
                copy(content, path, entry.getSize());
                Files.setLastModifiedTime(path, entry.getLastModifiedTime());
                RootedTree.setMode(path, entry.getMode());
            }
            case SYMLINK -> {
                if (entry.getLinkName().isEmpty()) {
                    throw new OciException(where + ": symlink without target");
                }
                RootedTree.remove(path);
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
            }
            case HARDLINK -> link(path, entry.getLinkName(), where, layer);
            default -> throw new IllegalStateException(kind.toString());
        }
        layer.written.add(path);
    }

    private static void link(Path path, String linkName, String where, LayerState layer) throws IOException {
        List<String> targetParts = RootedTree.components(linkName, where);
        Path target = targetParts.isEmpty() ? null : layer.tree.locate(targetParts, where);
        if (target == null || !Files.exists(target, NOFOLLOW) || Files.isDirectory(target, NOFOLLOW)) {
            throw new OciException(where + ": hard link to \"" + linkName + "\", which is not a file of the image");
        }
        if (!target.equals(path)) {
            RootedTree.remove(path);
            Files.createLink(path, target);
        }
    }

    private static EntryKind kindOf(TarArchiveEntry entry) {
        if (entry.isDirectory()) {
            return EntryKind.DIRECTORY;
        }
        if (entry.isSymbolicLink()) {
            return EntryKind.SYMLINK;
        }
        if (entry.isLink()) {
            return EntryKind.HARDLINK;
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            return EntryKind.OTHER;
        }
        return entry.isFile() ? EntryKind.FILE : EntryKind.OTHER;
    }

    /** One layer being applied: whiteouts hide only lower layers, so this layer's own paths are remembered. */
    private static final class LayerState {
        final RootedTree tree;
        final String where;
        final Set<Path> written = new HashSet<>();

        LayerState(RootedTree tree, String where) {
            this.tree = tree;
            this.where = where;
        }

        void hideLower(Path path) throws IOException {
            if (!written.contains(path)) {
                RootedTree.remove(path);
            }
        }

        /** Opaque directory: everything below it that this layer did not write goes. */
        void hideLowerContents(Path dir) throws IOException {
            List<Path> children;
            try (Stream<Path> list = Files.list(dir)) {
                children = list.toList();
            }
            for (Path child : children) {
                if (!written.contains(child)) {
                    RootedTree.remove(child);
                } else if (Files.isDirectory(child, NOFOLLOW)) {
                    hideLowerContents(child);
                }
            }
        }
    }

    /**
     * A file's content out of the layer, in 256 KiB writes: {@code Files.copy} writes 8 KiB at a time, some 40,000
     * system calls for a firmware extension of 300 MB.
     */
    private static void copy(InputStream content, Path path, long size) throws IOException {
        byte[] buffer = new byte[(int) Math.max(1, Math.min(COPY_BUFFER, size))];
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = content.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                out.write(buffer, 0, n);
            }
        }
    }
}
