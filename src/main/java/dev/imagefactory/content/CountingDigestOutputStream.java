package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Passes bytes on to another stream while counting them and hashing them with one or more algorithms, so a file is
 * written, measured and digested in the same pass (e.g. an artifact's SHA-256 and SHA-512 for its checksum files).
 * Only bytes the wrapped stream accepted are counted. Reading a digest finishes the hashing: writing afterwards fails.
 */
public final class CountingDigestOutputStream extends FilterOutputStream {

    private final Algorithm primary;
    private final Map<Algorithm, MessageDigest> hashers = new EnumMap<>(Algorithm.class);
    private Map<Algorithm, Digest> finished;
    private long size;

    /** Hashes with SHA-256. */
    public CountingDigestOutputStream(OutputStream out) {
        this(out, Algorithm.SHA256);
    }

    /** Hashes with {@code primary} (the one {@link #descriptor()} names) and every one of {@code more}. */
    public CountingDigestOutputStream(OutputStream out, Algorithm primary, Algorithm... more) {
        super(out);
        this.primary = primary;
        hashers.put(primary, Digests.newHasher(primary.jcaName()));
        for (Algorithm algorithm : more) {
            hashers.computeIfAbsent(algorithm, a -> Digests.newHasher(a.jcaName()));
        }
    }

    @Override
    public void write(int b) throws IOException {
        checkOpen();
        out.write(b);
        for (MessageDigest hasher : hashers.values()) {
            hasher.update((byte) b);
        }
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        out.write(b, off, len); // FilterOutputStream would pass the bytes on one at a time
        for (MessageDigest hasher : hashers.values()) {
            hasher.update(b, off, len);
        }
        size += len;
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /** The digest of everything written, with {@code algorithm} (one this stream was made with). */
    public Digest digest(Algorithm algorithm) {
        if (finished == null) {
            HexFormat hex = HexFormat.of();
            Map<Algorithm, Digest> digests = new EnumMap<>(Algorithm.class);
            hashers.forEach((a, hasher) -> digests.put(a, new Digest(a, hex.formatHex(hasher.digest()))));
            finished = digests;
        }
        Digest digest = finished.get(algorithm);
        if (digest == null) {
            throw new IllegalArgumentException("this stream does not hash with " + algorithm);
        }
        return digest;
    }

    /** The primary digest and the size of everything written. */
    public BlobDescriptor descriptor() {
        return new BlobDescriptor(digest(primary), size);
    }

    private void checkOpen() {
        if (finished != null) {
            throw new IllegalStateException("the digest was taken already; nothing more can be hashed");
        }
    }
}
