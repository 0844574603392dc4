package dev.imagefactory.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reads its source to the end on a thread of its own, a few MiB ahead of the consumer: whatever the source does per
 * byte (a {@link VerifyingInputStream} hashes them) runs beside what the consumer does with them (inflating,
 * unpacking, writing files), each on a core. The source's exception, such as a digest mismatch at its last read,
 * reaches the consumer in place of the bytes it would have got, so a verifying source still never hands out all of
 * damaged content. The source is read to its end even when the consumer stops early (a tar reader leaves padding):
 * {@link #awaitSourceEnd} then says whether all of it passed.
 */
public final class ReadAheadInputStream extends InputStream {

    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS_AHEAD = 8;
    private static final byte[] END = new byte[0];
    private static final ExecutorService READERS = Executors.newCachedThreadPool(DaemonThreads.named("read-ahead-"));

    private final InputStream source;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
    /** Completes when the source is read to its end (or failed, or the consumer closed this). */
    private final CompletableFuture<Void> sourceEnd = new CompletableFuture<>();
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    private ReadAheadInputStream(InputStream source) {
        this.source = source;
    }

    /** Starts reading {@code source} ahead; closing the returned stream stops that and closes {@code source}. */
    public static ReadAheadInputStream of(InputStream source) {
        ReadAheadInputStream stream = new ReadAheadInputStream(source);
        READERS.execute(stream::readSource);
        return stream;
    }

    private void readSource() {
        try {
            while (!closed) {
                byte[] buffer = new byte[CHUNK];
                int filled = 0;
                int n = 0;
                while (filled < CHUNK && (n = source.read(buffer, filled, CHUNK - filled)) != -1) {
                    filled += n;
                }
                if (filled > 0) {
                    hand(filled == CHUNK ? buffer : Arrays.copyOf(buffer, filled));
                }
                if (n == -1) {
                    hand(END);
                    sourceEnd.complete(null);
                    return;
                }
            }
            sourceEnd.complete(null);
        } catch (IOException | RuntimeException e) {
            sourceEnd.completeExceptionally(e);
            chunks.clear();
            chunks.offer(END); // the consumer sees the failure in place of the rest
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sourceEnd.completeExceptionally(e);
        }
    }

    /** Queues a chunk, waiting for room; gives up when the consumer closed this. */
    private void hand(byte[] chunk) throws InterruptedException {
        while (!closed && !chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
            // the consumer is busy; wait again unless it has gone
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == current.length) {
            if (ended) {
                return -1;
            }
            byte[] next;
            try {
                next = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            if (next == END) {
                ended = true;
                rethrowSourceFailure();
                return -1;
            }
            current = next;
            position = 0;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    /**
     * Waits until the source has been read to its end, also past where the consumer stopped, and throws what reading
     * it threw (a {@link VerifyingInputStream}'s mismatch). The source is then safe to use from this thread.
     */
    public void awaitSourceEnd() throws IOException {
        try {
            while (!sourceEnd.isDone()) {
                chunks.poll(10, TimeUnit.MILLISECONDS); // what the consumer left is dropped, so the reader goes on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading to the end");
        }
        chunks.clear();
        ended = true;
        rethrowSourceFailure();
    }

    private void rethrowSourceFailure() throws IOException {
        if (!sourceEnd.isCompletedExceptionally()) {
            return;
        }
        try {
            sourceEnd.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        chunks.clear(); // room for the reader's last offer, so it sees the close at once
        try {
            sourceEnd.exceptionally(failure -> null).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the reader is stuck in the source; closing the source below ends it
        }
        source.close();
    }
}
