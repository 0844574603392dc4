package dev.imagefactory.build.uki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The bytes of one PE section: a small array, a range of a file, or a small array of known size still being made.
 * They are streamed when the UKI is written or a section is measured, so a file section (the kernel, an initramfs
 * of hundreds of MB) is never held in memory.
 */
public sealed interface SectionContent permits SectionContent.Bytes, SectionContent.FileRange, SectionContent.Deferred {

    /** Number of bytes; fixed when the content is created. */
    long size();

    /** A stream over the bytes (for hashing: the PCR signer reads sections this way). */
    InputStream openStream() throws IOException;

    /** Writes exactly {@link #size()} bytes to {@code out}; fails if a file turned out shorter than announced. */
    void writeTo(WritableByteChannel out) throws IOException;

    /** All bytes in memory: for small sections (.osrel, .cmdline, .profile, ...) and tests only. */
    default byte[] readAllBytes() throws IOException {
        if (size() > Integer.MAX_VALUE - 8) {
            throw new IOException("section content of " + size() + " bytes does not fit in an array");
        }
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }

    static SectionContent of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** UTF-8 text, written as is (no terminator added). */
    static SectionContent of(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A whole file; its size is read now. */
    static SectionContent ofFile(Path file) throws IOException {
        return new FileRange(file, 0, Files.size(file));
    }

    /** {@code length} bytes of {@code file} from {@code offset}. */
    static SectionContent ofFile(Path file, long offset, long length) {
        return new FileRange(file, offset, length);
    }

    /**
     * {@code size} bytes that {@code bytes} completes with (e.g. a {@code .pcrsig} signed while the sections before
     * it are written); whoever reads them waits for them.
     */
    static SectionContent deferred(long size, CompletableFuture<byte[]> bytes) {
        return new Deferred(size, bytes);
    }

    /** Bytes of a size known in advance, made while the UKI is laid out and written; read once they are there. */
    final class Deferred implements SectionContent {
        private final long size;
        private final CompletableFuture<byte[]> bytes;

        private Deferred(long size, CompletableFuture<byte[]> bytes) {
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
            this.size = size;
            this.bytes = Objects.requireNonNull(bytes);
        }

        @Override
        public long size() {
            return size;
        }

        /** The bytes, once made; fails when they could not be made or are not {@link #size()} long. */
        @Override
        public byte[] readAllBytes() throws IOException {
            byte[] made;
            try {
                made = bytes.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw new IOException(io.getMessage(), io);
                }
                throw new IOException("section content could not be made: " + e.getCause(), e.getCause());
            }
            if (made.length != size) {
                throw new IOException("section content came out " + made.length + " bytes long, " + size
                        + " were laid out");
            }
            return made;
        }

        @Override
        public InputStream openStream() throws IOException {
            return new ByteArrayInputStream(readAllBytes());
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(readAllBytes());
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }

        @Override
        public String toString() {
            return "Deferred[" + size + (bytes.isDone() ? ", made" : ", pending") + "]";
        }
    }

    /** Bytes held in memory (copied on the way in and out). */
    final class Bytes implements SectionContent {
        private final byte[] bytes;

        private Bytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream openStream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }

        @Override
        public byte[] readAllBytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Bytes[" + bytes.length + "]";
        }
    }

    /** A range of a file, read when written or streamed. */
    final class FileRange implements SectionContent {
        private static final int COPY_CHUNK = 1 << 20;
        private final Path file;
        private final long offset;
        private final long length;

        private FileRange(Path file, long offset, long length) {
            this.file = Objects.requireNonNull(file, "file");
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("negative offset or length for " + file);
            }
            this.offset = offset;
            this.length = length;
        }

        public Path file() {
            return file;
        }

        public long offset() {
            return offset;
        }

        @Override
        public long size() {
            return length;
        }

        @Override
        public InputStream openStream() throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                checkLength(channel);
                channel.position(offset);
                return bounded(Channels.newInputStream(channel), length);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public void writeTo(WritableByteChannel out) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                checkLength(channel);
                if (!(out instanceof FileChannel)) {
                    copyThroughBuffer(channel, out); // transferTo would go through an 8 KiB buffer
                    return;
                }
                long done = 0;
                while (done < length) {
                    long n = channel.transferTo(offset + done, length - done, out);
                    if (n <= 0) {
                        throw new IOException(file + " ended after " + (offset + done) + " bytes, "
                                + (offset + length) + " expected (changed while the UKI was written?)");
                    }
                    done += n;
                }
            }
        }

        /** The range read a MiB at a time and written to {@code out} (a channel the kernel cannot write to). */
        private void copyThroughBuffer(FileChannel channel, WritableByteChannel out) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.max(1, Math.min(COPY_CHUNK, length)));
            long done = 0;
            while (done < length) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
                int n = channel.read(buffer, offset + done);
                if (n < 0) {
                    throw new IOException(file + " ended after " + (offset + done) + " bytes, "
                            + (offset + length) + " expected (changed while the UKI was written?)");
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                done += n;
            }
        }

        private void checkLength(FileChannel channel) throws IOException {
            if (channel.size() < offset + length) {
                throw new IOException(file + " has " + channel.size() + " bytes, " + (offset + length)
                        + " expected (changed while the UKI was built?)");
            }
        }

        /** The same range of the same path (contents are not compared). */
        @Override
        public boolean equals(Object o) {
            return o instanceof FileRange other && file.equals(other.file) && offset == other.offset
                    && length == other.length;
        }

        @Override
        public int hashCode() {
            return Objects.hash(file, offset, length);
        }

        @Override
        public String toString() {
            return "FileRange[" + file + ", " + offset + "+" + length + "]";
        }
    }

    /** A stream over the first {@code limit} bytes of {@code in}; closing it closes {@code in}. */
    private static InputStream bounded(InputStream in, long limit) {
        return new InputStream() {
            private long remaining = limit;

            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b >= 0) {
                    remaining--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
