package dev.imagefactory.build.disk;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An XFS partition image (the BOOT partition, talos-imager.md §6.4), made unprivileged from a directory through a
 * protofile ({@link XfsProtofile}): {@code mkfs.xfs -n ftype=1 -c options=<config> -f -L <label> [-s size=4096]
 * -p <protofile> -m uuid=<uuid> <image>}. Debian 12's mkfs.xfs 6.1 takes the protofile as {@code -p <file>} (the
 * {@code -p file=} form Talos uses is newer).
 *
 * <p><b>The mkfs config (quirk XFSMkfsConfig).</b> Talos names xfsprogs' {@code lts_6.1}, {@code lts_6.6},
 * {@code lts_6.12} and {@code lts_6.18} files. Debian 12 ships only up to {@code lts_6.1}, and its own copy of that
 * one is refused by its own mkfs.xfs ({@code nrext64} under {@code [metadata]}). So the factory carries its own four
 * files (resources next to this class) with the feature choices of xfsprogs' files of those names, limited to what
 * mkfs.xfs 6.1 can make; each says what it leaves out. GRUB must read the result: Debian 12's GRUB 2.06 carries the
 * XFS changes of 2.12 (bigtime, inobtcount, nrext64), and {@code XfsImageTest} proves it reads every one of them.
 *
 * <p><b>Reproducible.</b> mkfs.xfs 6.1 stamps every inode it makes with the wall clock and knows no
 * {@code SOURCE_DATE_EPOCH}; everything else it writes is a function of the inputs (the UUID comes from
 * {@code -m uuid}). So afterwards the four timestamps of every inode are set to {@code SOURCE_DATE_EPOCH}
 * ({@link XfsTimestamps}) and xfs_db recomputes those inodes' CRCs.
 *
 * <p><b>Sparse.</b> The image stays sparse but for the files and metadata, and the internal log, which mkfs.xfs
 * formats all through (every 512-byte block carries a cycle number): about 64 MiB of a 1000 MiB file system.
 */
public final class XfsImage {

    private static final String CONFIGS = "xfs/";

    private XfsImage() {
    }

    /**
     * Makes {@code image} (replaced, sparse, exactly {@code sizeBytes}) from {@code sourceDir}: owner 0:0, modes
     * kept. On failure nothing is left behind.
     *
     * @param sectorSize 512 or 4096
     */
    public static void build(ProcessRunner runner, Path image, long sizeBytes, int sectorSize, String label,
            UUID uuid, Quirks quirks, Path sourceDir) throws IOException {
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size " + sectorSize + " is neither 512 nor 4096");
        }
        Path absolute = image.toAbsolutePath();
        Path proto = absolute.resolveSibling(absolute.getFileName() + ".proto");
        Path config = absolute.resolveSibling(absolute.getFileName() + ".mkfs.conf");
        boolean done = false;
        try {
            XfsProtofile.write(sourceDir, proto);
            writeConfig(quirks, config);
            Files.deleteIfExists(absolute);
            try (RandomAccessFile file = new RandomAccessFile(absolute.toFile(), "rw")) {
                file.setLength(sizeBytes);
            }
            List<String> mkfs = new ArrayList<>(List.of("mkfs.xfs", "-q", "-n", "ftype=1",
                    "-c", "options=" + config, "-f", "-L", label));
            if (sectorSize == 4096) {
                mkfs.addAll(List.of("-s", "size=4096"));
            }
            mkfs.addAll(List.of("-p", proto.toString(), "-m", "uuid=" + uuid, absolute.toString()));
            // the protofile names its files relative to the source directory (paths with blanks cannot be written)
            runner.run(Command.of(mkfs).in(sourceDir.toAbsolutePath()));
            XfsTimestamps.pin(runner, absolute);
            done = true;
        } finally {
            Files.deleteIfExists(proto);
            Files.deleteIfExists(config);
            if (!done) {
                Files.deleteIfExists(absolute);
            }
        }
    }

    /** The file name of the quirk's config ({@code lts_6.12.conf}), which this class carries as a resource. */
    static String configName(Quirks quirks) {
        return Path.of(quirks.xfsMkfsConfig()).getFileName().toString();
    }

    private static void writeConfig(Quirks quirks, Path target) throws IOException {
        String name = configName(quirks);
        try (InputStream in = XfsImage.class.getResourceAsStream(CONFIGS + name)) {
            if (in == null) {
                throw new IllegalStateException("no mkfs.xfs config " + name + " among the factory's resources");
            }
            Files.copy(in, target);
        }
    }
}
