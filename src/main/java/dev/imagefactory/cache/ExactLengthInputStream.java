package dev.imagefactory.cache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes on exactly {@code length} bytes and fails if the source ends earlier: a truncated object or file must
 * surface as an error, not as a short body that looks complete.
 */
public class ExactLengthInputStream extends FilterInputStream {

    private final String what;
    private long remaining;

    public ExactLengthInputStream(InputStream in, long length, String what) {
        super(in);
        this.remaining = length;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new IOException(what + " ended " + remaining + " bytes early");
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(n, remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
