package dev.imagefactory.cache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Streams a whole artifact while hashing it, and checks size and SHA-256 <em>before</em> handing out the last bytes:
 * the read that would complete the artifact fails instead with {@link DamagedArtifactException} (after telling
 * {@code onDamage} what is wrong). A client fed from this stream therefore never receives every byte of a damaged
 * artifact. {@code onVerified} runs once the whole artifact has passed.
 */
public class VerifyingInputStream extends FilterInputStream {

    private final long size;
    private final String sha256;
    private final String what;
    private final Runnable onVerified;
    private final Consumer<String> onDamage;
    private final MessageDigest digest;
    private long position;

    public VerifyingInputStream(InputStream in, long size, String sha256, String what, Runnable onVerified,
            Consumer<String> onDamage) {
        super(in);
        this.size = size;
        this.sha256 = sha256;
        this.what = what;
        this.onVerified = onVerified;
        this.onDamage = onDamage;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == size) {
            return -1; // checked when the last byte was read
        }
        int n = in.read(b, off, (int) Math.min(len, size - position));
        if (n < 0) {
            throw damaged("ended after " + position + " of its recorded " + size + " bytes");
        }
        digest.update(b, off, n);
        position += n;
        if (position == size) {
            // The last bytes are still in our hands: decide now, before the reader has all of them.
            if (in.read() >= 0) {
                throw damaged("is longer than its recorded " + size + " bytes");
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw damaged("has SHA-256 " + actual + ", recorded " + sha256);
            }
            onVerified.run();
        }
        return n;
    }

    @Override
    public long skip(long n) {
        return 0; // every byte must pass through the digest
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private DamagedArtifactException damaged(String problem) {
        String message = what + " " + problem;
        onDamage.accept(message);
        return new DamagedArtifactException(message);
    }
}
