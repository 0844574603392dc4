package dev.imagefactory.build.disk;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a disk image keeping its holes ({@code cp --sparse=always}, a reflink where the file system has them): the
 * JDK's {@code Files.copy} does not promise to keep a file sparse, and a disk image of GiBs is mostly holes. Copies a
 * partition image into a disk by its data only ({@link #copyDataInto}).
 */
final class SparseCopy {

    private SparseCopy() {
    }

    /** Copies {@code from} over the (existing or new) file {@code to}. */
    static void copy(ProcessRunner runner, Path from, Path to) {
        runner.run(Command.of("cp", "--sparse=always", "--reflink=auto", "--", from.toString(), to.toString()));
    }

    /**
     * Copies the data of {@code image} into {@code disk} at {@code offset}, leaving the disk's bytes where the image
     * has holes as they are (a fresh disk has zeroes there, as the image reads): one {@code dd conv=sparse,notrunc}
     * per data range. The ranges come from {@code lseek(SEEK_DATA/SEEK_HOLE)}, which the JDK does not offer, through
     * {@code xfs_io -c "seek -a -r 0"} (xfsprogs, which the XFS partitions need anyway; on a file system without the
     * calls the whole file is one data range). One {@code dd} over the whole 1 GiB partition image read its holes
     * too, which costs the kernel a zeroed page for each of their pages (~4 s of a cold disk image).
     */
    static void copyDataInto(ProcessRunner runner, Path image, Path disk, long offset) throws IOException {
        List<long[]> ranges = dataRanges(runner.run(Command.of("xfs_io", "-r", "-c", "seek -a -r 0",
                image.toString())).stdout(), image);
        long size = Files.size(image);
        for (long[] range : ranges) {
            long end = Math.min(range[1] < 0 ? size : range[1], size);
            if (end <= range[0]) {
                continue;
            }
            runner.run(Command.of("dd", "if=" + image, "of=" + disk, "bs=1M", "iflag=skip_bytes,count_bytes",
                    "oflag=seek_bytes", "skip=" + range[0], "seek=" + (offset + range[0]), "count=" + (end - range[0]),
                    "conv=sparse,notrunc", "status=none"));
        }
    }

    /**
     * The data ranges ({@code [start, end)}, end -1 for "to the end of the file") of {@code xfs_io}'s {@code seek -a -r}
     * listing: a header, then {@code DATA <offset>} and {@code HOLE <offset>} lines in file order.
     */
    static List<long[]> dataRanges(String listing, Path image) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        long dataStart = -1;
        for (String line : listing.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length != 2 || !(fields[0].equals("DATA") || fields[0].equals("HOLE"))) {
                continue; // the "Whence Result" header
            }
            long at;
            try {
                at = Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                throw new IOException("unexpected xfs_io seek line for " + image + ": " + line);
            }
            if (fields[0].equals("DATA") && dataStart < 0) {
                dataStart = at;
            } else if (fields[0].equals("HOLE") && dataStart >= 0) {
                ranges.add(new long[] {dataStart, at});
                dataStart = -1;
            }
        }
        if (dataStart >= 0) {
            ranges.add(new long[] {dataStart, -1});
        }
        return ranges;
    }
}
