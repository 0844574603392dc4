package dev.imagefactory.build.installer;

import dev.imagefactory.content.BlobDescriptor;
import dev.imagefactory.content.CountingDigestOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        CountingDigestOutputStream compressed;
        CountingDigestOutputStream uncompressed;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
                CountingDigestOutputStream gzDigest = compressed = new CountingDigestOutputStream(file);
                GZIPOutputStream gzip = new GZIPOutputStream(gzDigest, 1 << 16);
                CountingDigestOutputStream tarDigest = uncompressed = new CountingDigestOutputStream(gzip);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entries.writeTo(tar);
            tar.finish();
        }
        BlobDescriptor layer = compressed.descriptor();
        return new LayerBlob(out, layer.digest(), layer.size(), uncompressed.descriptor().digest());
    }
}
