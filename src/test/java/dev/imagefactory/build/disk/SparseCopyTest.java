package dev.imagefactory.build.disk;

import static dev.imagefactory.build.disk.FsTestTrees.MIB;
import static dev.imagefactory.build.disk.FsTestTrees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SparseCopy#copyDataInto}: a partition image's data into a disk, its holes left as the disk has them. */
class SparseCopyTest {

    @TempDir
    Path tmp;

    @Test
    void thePartitionReadsTheSameInTheDiskAndNothingOutsideItChanges() throws Exception {
        long size = 64 * MIB;
        Path image = tmp.resolve("part.img");
        byte[] first = bytes(1, 70_000);
        byte[] middle = bytes(2, (int) MIB + 5);
        byte[] last = bytes(3, 4096);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(size);
            file.write(first);
            file.seek(20 * MIB + 123);
            file.write(middle);
            file.seek(size - last.length);
            file.write(last);
        }
        long offset = 3 * MIB;
        Path disk = tmp.resolve("disk.raw");
        byte[] before = bytes(4, (int) offset);
        byte[] after = bytes(5, 8192);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(offset + size + after.length);
            file.write(before);
            file.seek(offset + size);
            file.write(after);
        }

        SparseCopy.copyDataInto(FsTestTrees.TOOLS, image, disk, offset);

        byte[] all = Files.readAllBytes(disk);
        assertEquals(offset + size + after.length, all.length, "the disk keeps its size");
        assertArrayEquals(before, java.util.Arrays.copyOfRange(all, 0, (int) offset));
        assertArrayEquals(Files.readAllBytes(image), java.util.Arrays.copyOfRange(all, (int) offset,
                (int) (offset + size)));
        assertArrayEquals(after, java.util.Arrays.copyOfRange(all, (int) (offset + size), all.length));
    }

    @Test
    void xfsIoListingsBecomeDataRanges() throws IOException {
        Path image = Path.of("x.img");
        List<long[]> ranges = SparseCopy.dataRanges("Whence\tResult\nDATA\t0\nHOLE\t131072\nDATA\t262144000\n"
                + "HOLE\t262168576\nDATA\t1048444928\n", image);
        assertEquals(3, ranges.size());
        assertArrayEquals(new long[] {0, 131072}, ranges.get(0));
        assertArrayEquals(new long[] {262144000, 262168576}, ranges.get(1));
        assertArrayEquals(new long[] {1048444928, -1}, ranges.get(2), "data to the end of the file");
        assertEquals(0, SparseCopy.dataRanges("Whence\tResult\nHOLE\t0\n", image).size(), "all hole");
        assertThrows(IOException.class, () -> SparseCopy.dataRanges("DATA\tsoon\n", image));
    }
}
