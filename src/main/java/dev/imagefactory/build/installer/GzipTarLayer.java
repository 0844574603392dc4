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
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one gzip OCI layer in a single streaming pass, hashing both the gzip bytes (the layer digest) and the tar
 * (its diff_id) on the way. Java's gzip header has a zero timestamp, so the bytes depend only on the entries.
 */
final class GzipTarLayer {

    /** Writes the entries; the tar is finished by {@link #write}. */
    interface Entries {
        void writeTo(TarArchiveOutputStream tar) throws IOException;
    }

    private GzipTarLayer() {
    }

    static LayerBlob write(Path out, Entries entries) throws IOException {
        MessageDigest compressed = sha256();
        MessageDigest uncompressed = sha256();
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
                DigestOutputStream gzDigest = new DigestOutputStream(file, compressed);
                GZIPOutputStream gzip = new GZIPOutputStream(gzDigest, 1 << 16);
                DigestOutputStream tarDigest = new DigestOutputStream(gzip, uncompressed);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entries.writeTo(tar);
            tar.finish();
        }
        return new LayerBlob(out, sha256(compressed), Files.size(out), sha256(uncompressed));
    }

    private static Digest sha256(MessageDigest md) {
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
