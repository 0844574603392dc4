package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Passes content through while counting and hashing it, and checks it against its expected size and/or digest
 * <em>before</em> handing out the last bytes: the read that would complete the content fails instead, so a consumer
 * never receives every byte of damaged content. Content that ends early fails at its end; content longer than its
 * expected size fails at once (a lying server cannot stream forever). Skipped bytes are read and hashed too.
 *
 * <p>What a failure is depends on who reads: the caller passes a {@link Failure} that turns the problem into its
 * own exception (and may report the damage first). Consumers that stop early (a tar reader leaves the archive's
 * padding) call {@link #verifyToEnd()}.
 */
public final class VerifyingInputStream extends FilterInputStream {

    /** Turns a one-line problem ("… is longer than its expected 5 bytes") into the exception the read throws. */
    @FunctionalInterface
    public interface Failure {
        IOException of(String problem);
    }

    private final long size;
    private final Digest digest;
    private final String what;
    private final Failure failure;
    private final CountingDigestOutputStream hashing;
    private Runnable onVerified = () -> {
    };
    private boolean verified;
    /** The problem found, once found: later reads fail alike (without reporting the damage again). */
    private String problem;

    /**
     * @param size the expected length, or -1 when only the digest is known
     * @param digest the expected digest, or null when only the size is known
     * @param what names the content in messages ("S3 object assets/…")
     */
    public VerifyingInputStream(InputStream in, long size, Digest digest, String what, Failure failure) {
        super(in);
        if (size < 0 && digest == null) {
            throw new IllegalArgumentException("nothing to verify " + what + " against");
        }
        this.size = size;
        this.digest = digest;
        this.what = what;
        this.failure = failure;
        this.hashing = digest == null ? new CountingDigestOutputStream(OutputStream.nullOutputStream())
                : new CountingDigestOutputStream(OutputStream.nullOutputStream(), digest.algorithm());
    }

    public VerifyingInputStream(InputStream in, BlobDescriptor expected, String what, Failure failure) {
        this(in, expected.size(), expected.digest(), what, failure);
    }

    /** Runs {@code action} once, when the whole content has passed. */
    public VerifyingInputStream whenVerified(Runnable action) {
        this.onVerified = action;
        return this;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (verified) {
            return -1;
        }
        if (problem != null) {
            throw new IOException(problem);
        }
        long position = hashing.size();
        int n = in.read(b, off, size < 0 ? len : (int) Math.min(len, size - position));
        if (n < 0) {
            if (size >= 0) {
                throw fail(what + " ended after " + position + " of its expected " + size + " bytes");
            }
            verify();
            return -1;
        }
        hashing.write(b, off, n);
        if (size >= 0 && hashing.size() == size) {
            // The last bytes are still in our hands: decide now, before the reader has all of them.
            if (in.read() >= 0) {
                throw fail(what + " is longer than its expected " + size + " bytes");
            }
            verify();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        return Math.max(read(buffer, 0, buffer.length), 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Reads what the consumer left and checks it; a no-op once verified. */
    public void verifyToEnd() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (!verified && read(buffer, 0, buffer.length) >= 0) {
            // drained for the check
        }
    }

    private void verify() throws IOException {
        if (digest != null) {
            Digest actual = hashing.digest(digest.algorithm());
            if (!actual.equals(digest)) {
                throw fail(what + " does not match " + digest + " (its bytes hash to " + actual + ")");
            }
        }
        verified = true;
        onVerified.run();
    }

    private IOException fail(String found) {
        problem = found;
        return failure.of(found);
    }
}
