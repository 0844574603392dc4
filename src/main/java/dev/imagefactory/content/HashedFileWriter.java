package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a build's output file while taking its SHA-256 and size and flushing it to disk as it grows, so that when
 * the last byte is in, the file is already hashed and durable: {@link #finish()} records that with
 * {@link PrehashedFiles}, and the cache publishes the file without reading it again. A tool's stdout is pumped in with
 * {@link #pump} (see {@code ProcessRunner.Command.stdoutInto}), the tool running on one core while its output is
 * hashed on the other; files the step writes itself go in with {@link #append}.
 *
 * <p>Why: publishing an 800 MB ISO used to read it back for its SHA-256 and wait for its write-back, half a second
 * after the tool had exited, during which the build waited on nothing but that.
 */
public final class HashedFileWriter implements Closeable {

    /** Written bytes are handed to the disk in steps of this size while writing goes on. */
    static final long FLUSH_STEP = 32L << 20;
    private static final int CHUNK = 1 << 20;
    private static final ExecutorService FLUSHES = Executors.newCachedThreadPool(daemonThreads());

    private final Path file;
    private final FileChannel channel;
    private final MessageDigest sha256 = Digests.newHasher(Algorithm.SHA256.jcaName());
    private long size;
    private long unflushed;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);
    private boolean finished;

    private HashedFileWriter(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** A new file (replacing one that is there). */
    public static HashedFileWriter create(Path file) throws IOException {
        return new HashedFileWriter(file, FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    public Path file() {
        return file;
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (finished) {
            throw new IllegalStateException(file + " is finished");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        sha256.update(bytes, offset, length);
        size += length;
        unflushed += length;
        if (unflushed >= FLUSH_STEP && flushing.isDone()) {
            unflushed = 0;
            rethrowFlushFailure();
            flushing = CompletableFuture.runAsync(this::flushWritten, FLUSHES);
        }
    }

    /** Writes everything {@code in} gives, to its end (a tool's stdout: until the tool closes it). */
    public void pump(InputStream in) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (int n; (n = in.read(chunk)) != -1; ) {
            write(chunk, 0, n);
        }
    }

    /** Writes the content of {@code source}. */
    public void append(Path source) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(source)) {
            pump(in);
        }
    }

    /**
     * Flushes what is not on disk yet, records the digest with {@link PrehashedFiles} (the file may be renamed
     * afterwards: it is known by its inode) and returns it. Nothing may be written afterwards.
     */
    public ConcurrentDigests.FileDigests finish() throws IOException {
        if (finished) {
            throw new IllegalStateException(file + " is finished");
        }
        finished = true;
        awaitFlush();
        channel.force(true);
        ConcurrentDigests.FileDigests digests = new ConcurrentDigests.FileDigests(size,
                Map.of(Algorithm.SHA256, new Digest(Algorithm.SHA256, HexFormat.of().formatHex(sha256.digest()))));
        channel.close();
        PrehashedFiles.remember(file, digests);
        return digests;
    }

    /** Closes the file; unless {@link #finish()}ed, it is left as written and not recorded. */
    @Override
    public void close() throws IOException {
        try {
            awaitFlush();
        } finally {
            channel.close();
        }
    }

    private void flushWritten() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush " + file + " to disk", e);
        }
    }

    private void rethrowFlushFailure() throws IOException {
        if (flushing.isCompletedExceptionally()) {
            awaitFlush();
        }
    }

    private void awaitFlush() throws IOException {
        try {
            flushing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "output-flush-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
