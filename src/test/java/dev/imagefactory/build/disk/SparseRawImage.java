package dev.imagefactory.build.disk;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * A small sparse raw disk image for the format and compression tests: holes, a few MiB of random (incompressible)
 * data, some text and a last written sector, all from a fixed seed so every run sees the same bytes.
 */
final class SparseRawImage {

    static final long MIB = 1L << 20;

    private SparseRawImage() {
    }

    /** A sparse file of {@code sizeMiB} MiB with about {@code dataMiB} MiB of data spread over it. */
    static Path create(Path file, long sizeMiB, int dataMiB) throws IOException {
        Random random = new Random(14);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] chunk = new byte[(int) MIB];
            for (int i = 0; i < dataMiB; i++) {
                random.nextBytes(chunk);
                // spread over the disk, leaving holes between the chunks
                long at = (1 + i * ((sizeMiB - 2) / Math.max(1, dataMiB))) * MIB;
                write(channel, ByteBuffer.wrap(chunk), at);
            }
            byte[] text = "Talos image factory disk format test\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            write(channel, ByteBuffer.wrap(text), sizeMiB / 2 * MIB + 12345);
            byte[] last = new byte[512];
            random.nextBytes(last);
            write(channel, ByteBuffer.wrap(last), sizeMiB * MIB - last.length);
        }
        return file;
    }

    /** Disk blocks the file occupies, in bytes (to check a copy stayed sparse). */
    static long allocatedBytes(ProcessRunner runner, Path file) {
        String[] blocksAndSize = runner.run(Command.of("stat", "--format=%b %B", file.toString())).stdout().strip()
                .split(" ");
        return Long.parseLong(blocksAndSize[0]) * Long.parseLong(blocksAndSize[1]);
    }

    private static void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    static void requireSameBytes(Path expected, Path actual) throws IOException {
        long at = Files.mismatch(expected, actual);
        if (at >= 0) {
            throw new AssertionError(actual + " differs from " + expected + " at byte " + at + " (sizes "
                    + Files.size(expected) + ", " + Files.size(actual) + ")");
        }
    }
}
