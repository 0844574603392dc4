package dev.imagefactory.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes content through while hashing it, and fails the read that reaches the end when the bytes do not match the
 * descriptor's digest and size. Reading past the declared size fails at once, so a lying server cannot stream
 * forever. Consumers that stop early (a tar reader leaves the archive's padding) call {@link #verifyToEnd()}.
 */
public final class VerifyingInputStream extends FilterInputStream {

    private final Descriptor expected;
    private final String where;
    private final MessageDigest hasher;
    private long count;
    private boolean verified;

    public VerifyingInputStream(InputStream in, Descriptor expected, String where) {
        super(in);
        this.expected = expected;
        this.where = where;
        this.hasher = expected.digest().newHasher();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        hasher.update(b, off, n);
        count += n;
        if (count > expected.size()) {
            throw new DigestMismatchException(where + ": " + expected.digest() + " is longer than its declared "
                    + expected.size() + " bytes");
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipped bytes must still be hashed
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
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

    /** Reads what the consumer left and checks the digest; a no-op once verified. */
    public void verifyToEnd() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (!verified && read(buffer, 0, buffer.length) >= 0) {
            // drained for the hash
        }
    }

    private void verify() throws DigestMismatchException {
        if (verified) {
            return;
        }
        if (count != expected.size()) {
            throw new DigestMismatchException(where + ": " + expected.digest() + " has " + count
                    + " bytes, expected " + expected.size());
        }
        if (!expected.digest().matches(hasher.digest())) {
            throw new DigestMismatchException(where + ": content does not match digest " + expected.digest());
        }
        verified = true;
    }
}
