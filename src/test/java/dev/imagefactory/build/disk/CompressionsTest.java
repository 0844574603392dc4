package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each download compression of §6.6 decompressed by its own stock tool back to the raw bytes, the stream headers
 * checked (xz's CRC64, gzip without name or time), the {@code .tar.gz} member named {@code disk.raw} and sparse, and
 * every output built twice byte-identical.
 */
class CompressionsTest {

    static final long SIZE_MIB = 32;

    final ProcessRunner runner = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;
    Path raw;
    Path work;

    @BeforeEach
    void rawImage() throws IOException {
        // a name other than disk.raw, to see the .tar.gz rename it
        raw = SparseRawImage.create(tmp.resolve("gcp-amd64.raw"), SIZE_MIB, 3);
        work = Files.createDirectories(tmp.resolve("work"));
    }

    @Test
    void xzDecompressesToTheRawBytesWithACrc64Check() throws Exception {
        Path xz = compress(OutputCompression.XZ, "disk.raw.xz");

        assertDecompressesToRaw(List.of("xz", "-d", "-c", xz.toString()));
        String list = runner.run(Command.of("xz", "--robot", "--list", xz.toString())).stdout();
        String totals = list.lines().filter(line -> line.startsWith("totals\t")).findFirst().orElseThrow();
        assertEquals("CRC64", totals.split("\t")[6], list);
        assertTrue(Integer.parseInt(totals.split("\t")[2]) > 1, "multi-threaded xz writes blocks: " + totals);
    }

    @Test
    void zstdDecompressesToTheRawBytes() throws Exception {
        Path zst = compress(OutputCompression.ZSTD, "disk.raw.zst");

        assertDecompressesToRaw(List.of("zstd", "-d", "-q", "-c", zst.toString()));
        runner.run(Command.of("zstd", "-t", "-q", zst.toString()));
    }

    @Test
    void gzipDecompressesToTheRawBytesAndCarriesNeitherNameNorTime() throws Exception {
        Path gz = compress(OutputCompression.GZ, "disk.raw.gz");

        assertDecompressesToRaw(List.of("gzip", "-d", "-c", gz.toString()));
        byte[] header = new byte[10];
        try (InputStream in = Files.newInputStream(gz)) {
            assertEquals(10, in.readNBytes(header, 0, 10));
        }
        assertEquals(0x1f, header[0] & 0xff);
        assertEquals(0x8b, header[1] & 0xff);
        assertEquals(0, header[3] & 0x08, "no file name (FNAME flag)");
        assertEquals(0, header[4] | header[5] | header[6] | header[7], "no mtime");
    }

    @Test
    void tarGzHoldsTheImageAsASparseDiskRaw() throws Exception {
        Path tarGz = compress(OutputCompression.TAR_GZ, "gcp-amd64.raw.tar.gz");

        Path tar = tmp.resolve("unzipped.tar");
        runner.run(Command.of("gzip", "-d", "-c", tarGz.toString()).stdoutTo(tar));
        List<String> listing = runner.run(Command.of("tar", "-tvf", tar.toString())).stdout().lines().toList();
        assertEquals(1, listing.size(), listing.toString());
        String entry = listing.get(0);
        assertTrue(entry.startsWith("-rw-r--r-- 0/0 "), "mode 0644, owner 0:0: " + entry);
        assertTrue(entry.contains(" " + Files.size(raw) + " 2019-06-01 21:34 disk.raw"), entry);
        assertTrue(Files.size(tar) < 8 * SparseRawImage.MIB, "holes are not stored in the tar: " + Files.size(tar));

        Path out = Files.createDirectories(tmp.resolve("extracted"));
        runner.run(Command.of("tar", "-xf", tar.toString(), "-C", out.toString()));
        SparseRawImage.requireSameBytes(raw, out.resolve("disk.raw"));
        assertTrue(SparseRawImage.allocatedBytes(runner, out.resolve("disk.raw")) < 8 * SparseRawImage.MIB,
                "extracts sparse");
    }

    @Test
    void tarGzArchivesTheFileASymbolicLinkNames() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("cached-image"), raw);
        Path tarGz = Files.createDirectories(tmp.resolve("linked")).resolve("disk.raw.tar.gz");
        Compressions.compress(runner, link, OutputCompression.TAR_GZ, tarGz, work);

        Path out = Files.createDirectories(tmp.resolve("extracted"));
        runner.run(Command.of("tar", "-xzf", tarGz.toString(), "-C", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("disk.raw"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        SparseRawImage.requireSameBytes(raw, out.resolve("disk.raw"));
    }

    @Test
    void noneIsASparseCopy() throws Exception {
        Path copy = compress(OutputCompression.NONE, "disk.raw");

        SparseRawImage.requireSameBytes(raw, copy);
        assertTrue(SparseRawImage.allocatedBytes(runner, copy) < 8 * SparseRawImage.MIB, "stays sparse");
    }

    @ParameterizedTest
    @EnumSource(OutputCompression.class)
    void builtTwiceIsByteIdentical(OutputCompression compression) throws Exception {
        Path first = compress(compression, "first" + compression.suffix());
        Path second = Files.createDirectories(tmp.resolve("second")).resolve("second" + compression.suffix());
        Compressions.compress(runner, raw, compression, second, Files.createDirectories(tmp.resolve("work2")));

        SparseRawImage.requireSameBytes(first, second);
    }

    @Test
    void aMissingImageLeavesNothingBehind() throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out"));

        for (OutputCompression compression : OutputCompression.values()) {
            assertThrows(IOException.class, () -> Compressions.compress(runner, tmp.resolve("missing.raw"),
                    compression, outDir.resolve("disk" + compression.suffix()), work));
        }
        DiskFormatsTest.assertEmpty(outDir);
        DiskFormatsTest.assertEmpty(work);
    }

    private Path compress(OutputCompression compression, String name) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out-" + compression.name())).resolve(name);
        Compressions.compress(runner, raw, compression, out, work);
        DiskFormatsTest.assertEmpty(work);
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            assertEquals(List.of(out), siblings.toList(), "only the output, no temporary file");
        }
        return out;
    }

    private void assertDecompressesToRaw(List<String> decompress) throws IOException {
        Path back = tmp.resolve("decompressed.raw");
        Files.deleteIfExists(back);
        runner.run(Command.of(decompress).stdoutTo(back));
        SparseRawImage.requireSameBytes(raw, back);
    }
}
