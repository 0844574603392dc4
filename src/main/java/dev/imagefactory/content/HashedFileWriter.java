package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a build's output file while taking its SHA-256 and size and flushing it to disk as it grows, so that when
 * the last byte is in, the file is already hashed and durable: {@link #finish()} records that with
 * {@link PrehashedFiles}, and the cache publishes the file without reading it again. A tool's stdout is pumped in with
 * {@link #pump} (see {@code ProcessRunner.Command.stdoutInto}), the tool running on one core while its output is
 * hashed on the other; files the step writes itself go in with {@link #append}.
 *
 * <p>The hashing runs on a thread of its own, a MiB behind the writing (each write is copied into one of a few
 * buffers, written from it and hashed from it), so a writer that reads its input through the JVM (a UKI's sections)
 * is not slowed by it on a machine with a core to spare.
 *
 * <p>Why: publishing an 800 MB ISO used to read it back for its SHA-256 and wait for its write-back, half a second
 * after the tool had exited, during which the build waited on nothing but that.
 */
public final class HashedFileWriter implements WritableByteChannel {

    /** Written bytes are handed to the disk in steps of this size while writing goes on. */
    static final long FLUSH_STEP = 32L << 20;
    private static final int CHUNK = 1 << 20;
    /** Buffers in flight between the writing and the hashing: how far the hashing may fall behind. */
    private static final int BUFFERS = 4;
    private static final ExecutorService FLUSHES = Executors.newCachedThreadPool(DaemonThreads.named("output-flush-"));
    private static final ExecutorService HASHING = Executors.newCachedThreadPool(DaemonThreads.named("output-hash-"));
    private static final ExecutorService APPENDS = Executors.newCachedThreadPool(DaemonThreads.named("output-append-"));

    private final Path file;
    private final FileChannel channel;
    private final MessageDigest sha256 = Digests.newHasher(Algorithm.SHA256.jcaName());
    private long size;
    private long unflushed;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);
    /** The last hashing queued; each runs after the one before, so the bytes are hashed in order. */
    private CompletableFuture<Void> hashing = CompletableFuture.completedFuture(null);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private int buffers;
    private boolean finished;

    /** A byte range of the file: {@code length} bytes from {@code offset}. */
    public record Range(long offset, long length) {
    }

    /** Ranges written but not hashed (empty: the digest is the file's). */
    private final List<Range> unhashed;
    /** Files being appended before anything else is written ({@link #appendFirst}); done when there are none. */
    private CompletableFuture<Void> prefix = CompletableFuture.completedFuture(null);
    /** Takes other digests of the whole file, reading it behind the writing ({@link #alsoTaking}); or null. */
    private OtherDigests others;

    private HashedFileWriter(Path file, FileChannel channel, List<Range> unhashed) {
        this.file = file;
        this.channel = channel;
        this.unhashed = List.copyOf(unhashed);
    }

    /**
     * Also takes the file's digest with each of {@code algorithms} (JCA names) while it is written, and records them
     * with {@link ContentDigests} at {@link #finish()}, for a later step that needs them. They are taken on a thread
     * of their own that reads the file behind the writing (from the page cache), so they never hold the writer up.
     * That thread starts with the first {@link #pump} (a tool's output: the writing then waits for the tool, and
     * they catch up), not while the step appends files itself, which the JVM does as fast as a core allows.
     * Call before the first write.
     */
    public HashedFileWriter alsoTaking(List<String> algorithms) throws IOException {
        if (size > 0 || !unhashed.isEmpty() || others != null) {
            throw new IllegalStateException("other digests are of the whole file, taken from its first byte");
        }
        if (!algorithms.isEmpty()) {
            others = new OtherDigests(file, algorithms);
        }
        return this;
    }

    private void startOtherDigests() {
        if (others != null && others.started.compareAndSet(false, true)) {
            HASHING.execute(others);
        }
    }

    /** Digests taken by reading the file up to what has been written, until the writer says it is complete. */
    private static final class OtherDigests implements Runnable {
        private final FileChannel in;
        private final Map<String, MessageDigest> hashers = new java.util.LinkedHashMap<>();
        private final CompletableFuture<Map<String, byte[]>> result = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        /** Guarded by this: bytes the writer has written, and whether it will write more. */
        private long written;
        private boolean complete;
        private boolean abandoned;

        OtherDigests(Path file, List<String> algorithms) throws IOException {
            for (String algorithm : algorithms) {
                hashers.put(algorithm, Digests.newHasher(algorithm));
            }
            this.in = FileChannel.open(file, StandardOpenOption.READ);
        }

        synchronized void written(long total, boolean last) {
            written = total;
            complete |= last;
            notifyAll();
        }

        synchronized void abandon() {
            abandoned = true;
            notifyAll();
        }

        @Override
        public void run() {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long hashed = 0;
            try (in) {
                while (true) {
                    long target;
                    synchronized (this) {
                        while (hashed == written && !complete && !abandoned) {
                            wait();
                        }
                        if (abandoned) {
                            result.cancel(false);
                            return;
                        }
                        target = written;
                        if (hashed == target && complete) {
                            break;
                        }
                    }
                    while (hashed < target) {
                        buffer.clear().limit((int) Math.min(CHUNK, target - hashed));
                        int n = in.read(buffer, hashed);
                        if (n < 0) {
                            throw new IOException("ended after " + hashed + " of " + target + " bytes written");
                        }
                        buffer.flip();
                        for (MessageDigest hasher : hashers.values()) {
                            hasher.update(buffer.duplicate());
                        }
                        hashed += n;
                    }
                }
                Map<String, byte[]> digests = new java.util.LinkedHashMap<>();
                hashers.forEach((algorithm, hasher) -> digests.put(algorithm, hasher.digest()));
                result.complete(digests);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
            }
        }
    }

    /** A new file (replacing one that is there). */
    public static HashedFileWriter create(Path file) throws IOException {
        return create(file, List.of());
    }

    /**
     * A new file whose digest leaves {@code unhashed} out: not the file's SHA-256 then, so {@link #finish()} records
     * nothing (an Authenticode image digest leaves out the PE checksum and the certificate table's directory entry).
     */
    public static HashedFileWriter create(Path file, List<Range> unhashed) throws IOException {
        return new HashedFileWriter(file, FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), unhashed);
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    public void write(byte[] bytes, int offset, int length) throws IOException {
        write(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Writes all of {@code source} (a channel write that never writes less than it is given). */
    @Override
    public int write(ByteBuffer source) throws IOException {
        if (finished) {
            throw new IllegalStateException(file + " is finished");
        }
        int length = source.remaining();
        while (source.hasRemaining()) {
            ByteBuffer copy = freeBuffer();
            int n = Math.min(copy.capacity(), source.remaining());
            copy.put(source.slice().limit(n)).flip();
            source.position(source.position() + n);
            while (copy.hasRemaining()) {
                channel.write(copy);
            }
            copy.flip();
            long at = size + length - source.remaining() - n; // the file offset of the copy's first byte
            hashing = hashing.thenRunAsync(() -> {
                hash(copy, at);
                free.add(copy.clear());
            }, HASHING);
        }
        size += length;
        if (others != null) {
            others.written(size, false);
        }
        unflushed += length;
        if (unflushed >= FLUSH_STEP && flushing.isDone()) {
            unflushed = 0;
            rethrowFlushFailure();
            flushing = CompletableFuture.runAsync(this::flushWritten, FLUSHES);
        }
        return length;
    }

    /** Hashes {@code bytes} (at file offset {@code at}) but for the parts in {@link #unhashed}. */
    private void hash(ByteBuffer bytes, long at) {
        long end = at + bytes.remaining();
        long from = at;
        for (Range range : unhashed) {
            long skipFrom = Math.max(range.offset(), from);
            long skipTo = Math.min(range.offset() + range.length(), end);
            if (skipFrom >= skipTo) {
                continue;
            }
            sha256.update(bytes.slice((int) (from - at), (int) (skipFrom - from)));
            from = skipTo;
        }
        sha256.update(bytes.slice((int) (from - at), (int) (end - from)));
    }

    /** A buffer the hashing is done with (a new one while fewer than {@link #BUFFERS} exist). */
    private ByteBuffer freeBuffer() throws IOException {
        ByteBuffer buffer = free.poll();
        if (buffer != null) {
            return buffer;
        }
        if (buffers < BUFFERS) {
            buffers++;
            return ByteBuffer.allocateDirect(CHUNK);
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing " + file);
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen() && !finished;
    }

    /** Writes everything {@code in} gives, to its end (a tool's stdout: until the tool closes it). */
    public void pump(InputStream in) throws IOException {
        awaitPrefix();
        startOtherDigests();
        copy(in);
    }

    private void copy(InputStream in) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (int n; (n = in.read(chunk)) != -1; ) {
            write(chunk, 0, n);
        }
    }

    /**
     * Appends {@code files}, in order, on another thread, ahead of whatever is written next: {@link #pump} waits for
     * them. A tool whose output follows them (the compressor of an initramfs after its uncompressed parts) is started
     * meanwhile and gets going instead of waiting for the appending. Call before anything else is written.
     */
    public void appendFirst(List<Path> files) {
        if (size > 0 || !prefix.isDone()) {
            throw new IllegalStateException("files to append first must come first");
        }
        prefix = CompletableFuture.runAsync(() -> {
            try {
                for (Path source : files) {
                    try (InputStream in = java.nio.file.Files.newInputStream(source)) {
                        copy(in);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, APPENDS);
    }

    /** Waits for {@link #appendFirst}'s files to be in. */
    private void awaitPrefix() throws IOException {
        join(prefix);
    }

    /** Writes the content of {@code source}. */
    public void append(Path source) throws IOException {
        awaitPrefix();
        try (InputStream in = java.nio.file.Files.newInputStream(source)) {
            copy(in);
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
        awaitPrefix();
        finished = true;
        hashing.join(); // hashing cannot fail: it is MessageDigest.update
        awaitFlush();
        channel.force(true);
        ConcurrentDigests.FileDigests digests = new ConcurrentDigests.FileDigests(size,
                Map.of(Algorithm.SHA256, new Digest(Algorithm.SHA256, HexFormat.of().formatHex(sha256.digest()))));
        channel.close();
        if (unhashed.isEmpty()) {
            PrehashedFiles.remember(file, digests);
        }
        if (others != null) {
            others.written(size, true);
            startOtherDigests(); // when nothing was pumped
            try {
                ContentDigests.remember(digests.digest(Algorithm.SHA256).hex(), others.result.join());
            } catch (CompletionException e) {
                // only a later step's shortcut: it hashes the file itself
                org.jboss.logging.Logger.getLogger(HashedFileWriter.class).warnf("other digests of %s not taken: %s",
                        file, e.getCause());
            }
        }
        return digests;
    }

    /** Closes the file; unless {@link #finish()}ed, it is left as written and not recorded. */
    @Override
    public void close() throws IOException {
        if (others != null && !finished) {
            others.abandon();
            startOtherDigests(); // to close its file
        }
        try {
            prefix.exceptionally(failure -> null).join(); // no writing after the close
            hashing.join();
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
        join(flushing);
    }

    /** Waits for a background task of this writer; its I/O failure is thrown as the IOException it was. */
    private static void join(CompletableFuture<Void> task) throws IOException {
        try {
            task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }
}
