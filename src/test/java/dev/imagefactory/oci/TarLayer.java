package dev.imagefactory.oci;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds a small layer tar in memory for tests: entries are written in the order they are added. */
public final class TarLayer {

    public static final Instant MTIME = Instant.parse("2024-01-02T03:04:05Z");

    public enum Compression { NONE, GZIP, ZSTD }

    private final List<Consumer<TarArchiveOutputStream>> entries = new ArrayList<>();

    public TarLayer dir(String name, int mode) {
        return add(name, TarConstants.LF_DIR, mode, null, null);
    }

    public TarLayer file(String name, int mode, String content) {
        return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
    }

    public TarLayer file(String name, int mode, byte[] content) {
        return add(name, TarConstants.LF_NORMAL, mode, null, content);
    }

    public TarLayer symlink(String name, String target) {
        return add(name, TarConstants.LF_SYMLINK, 0777, target, null);
    }

    public TarLayer hardlink(String name, String target) {
        return add(name, TarConstants.LF_LINK, 0644, target, null);
    }

    public TarLayer fifo(String name) {
        return add(name, TarConstants.LF_FIFO, 0644, null, null);
    }

    /** {@code .wh.<name>} next to {@code path}. */
    public TarLayer whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return add(name, TarConstants.LF_NORMAL, 0644, null, new byte[0]);
    }

    /** {@code <dir>/.wh..wh..opq}. */
    public TarLayer opaque(String dir) {
        return add(dir + "/.wh..wh..opq", TarConstants.LF_NORMAL, 0644, null, new byte[0]);
    }

    private TarLayer add(String name, byte type, int mode, String link, byte[] content) {
        entries.add(tar -> {
            try {
                TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
                entry.setMode(mode);
                entry.setLastModifiedTime(FileTime.from(MTIME));
                if (link != null) {
                    entry.setLinkName(link);
                }
                if (content != null) {
                    entry.setSize(content.length);
                }
                tar.putArchiveEntry(entry);
                if (content != null) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return this;
    }

    /** The uncompressed tar (its sha256 is the layer's diff ID). */
    public byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entries.forEach(e -> e.accept(tar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public byte[] bytes(Compression compression) {
        byte[] tar = tar();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (compression) {
            case NONE -> bytes;
            case GZIP -> new GzipCompressorOutputStream(bytes);
            case ZSTD -> new ZstdOutputStream(bytes);
        }) {
            out.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
