package dev.imagefactory.build.installer;

import dev.imagefactory.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The installer's artifacts layer (talos-imager.md §7.1 step 4), reproducible by construction: entries sorted by
 * image path, regular files only (no directory entries), name + size + mode 0, uid/gid 0, mtime 0; gzip at the
 * default level with a zero gzip timestamp. The same files therefore always give the same layer digest.
 */
public final class ArtifactsLayer {

    private ArtifactsLayer() {
    }

    /** Writes the gzip layer of {@code files} to {@code out}, streaming, and returns its digests. */
    public static LayerBlob write(List<ImageFile> files, Path out) throws IOException {
        List<ImageFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(ImageFile::imagePath));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).imagePath().equals(sorted.get(i - 1).imagePath())) {
                throw new IllegalArgumentException("two files for " + sorted.get(i).imagePath());
            }
        }
        MessageDigest compressed = sha256();
        MessageDigest uncompressed = sha256();
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
                DigestOutputStream gzDigest = new DigestOutputStream(file, compressed);
                GZIPOutputStream gzip = new GZIPOutputStream(gzDigest, 1 << 16);
                DigestOutputStream tarDigest = new DigestOutputStream(gzip, uncompressed);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (ImageFile entry : sorted) {
                TarArchiveEntry header = new TarArchiveEntry(entry.imagePath(), true);
                header.setSize(Files.size(entry.source()));
                header.setMode(0); // upstream writes mode 0 for artifact files; the type flag still says "regular file"
                header.setIds(0, 0);
                header.setModTime(0);
                tar.putArchiveEntry(header);
                Files.copy(entry.source(), tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return new LayerBlob(out, digest(compressed), Files.size(out), digest(uncompressed));
    }

    private static Digest digest(MessageDigest md) {
        return new Digest("sha256", HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
