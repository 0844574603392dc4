package dev.imagefactory.build.installer;

import dev.imagefactory.build.disk.Compressions;
import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.content.CountingDigestOutputStream;
import dev.imagefactory.model.Digest.Algorithm;
import dev.imagefactory.tools.ProcessRunner;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one gzip OCI layer: the tar, hashed on the way (its diff_id), then gzip'ed by {@code pigz} on every core,
 * hashed as pigz writes it (the layer digest). An installer's artifacts layer is the size of a kernel plus an
 * initramfs (~270 MB at Talos' sizes), where deflate in the JVM took one core for seconds. {@link Compressions#pigz},
 * as for disk images: its stream is the same for any number of threads and carries neither name nor time, so the
 * bytes depend only on the entries.
 */
final class GzipTarLayer {

    /** Writes the entries; the tar is finished by {@link #write}. */
    interface Entries {
        void writeTo(TarArchiveOutputStream tar) throws IOException;
    }

    private GzipTarLayer() {
    }

    static LayerBlob write(ProcessRunner runner, Path out, Entries entries) throws IOException {
        Path tarFile = out.resolveSibling(out.getFileName() + ".tar");
        try {
            CountingDigestOutputStream uncompressed;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tarFile), 1 << 16);
                    CountingDigestOutputStream tarDigest = uncompressed = new CountingDigestOutputStream(file);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                entries.writeTo(tar);
                tar.finish();
            }
            ConcurrentDigests.FileDigests layer = runner.runInto(Compressions.pigz(tarFile), out);
            return new LayerBlob(out, layer.digest(Algorithm.SHA256), layer.size(),
                    uncompressed.descriptor().digest());
        } finally {
            Files.deleteIfExists(tarFile);
        }
    }
}
