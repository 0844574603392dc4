package dev.imagefactory.build.installer;

import dev.imagefactory.tools.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The installer's artifacts layer (talos-imager.md §7.1 step 4), reproducible by construction: entries sorted by
 * image path, regular files only (no directory entries), name + size + mode 0, uid/gid 0, mtime 0; gzip at the
 * default level (pigz -6) with neither name nor time in its header. The same files therefore always give the same
 * layer digest.
 */
public final class ArtifactsLayer {

    private ArtifactsLayer() {
    }

    /** Writes the gzip layer of {@code files} to {@code out} (gzip by {@code runner}'s pigz) and returns its digests. */
    public static LayerBlob write(ProcessRunner runner, List<ImageFile> files, Path out) throws IOException {
        List<ImageFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(ImageFile::imagePath));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).imagePath().equals(sorted.get(i - 1).imagePath())) {
                throw new IllegalArgumentException("two files for " + sorted.get(i).imagePath());
            }
        }
        return GzipTarLayer.write(runner, out, tar -> {
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
        });
    }
}
