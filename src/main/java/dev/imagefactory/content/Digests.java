package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Digests of bytes, streams and files, and copying a stream while hashing and counting it. Streams are never closed
 * here: whoever opened one closes it.
 */
public final class Digests {

    private Digests() {
    }

    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, content);
    }

    public static Digest of(Algorithm algorithm, byte[] content) {
        return new Digest(algorithm, HexFormat.of().formatHex(newHasher(algorithm.jcaName()).digest(content)));
    }

    /** Reads {@code in} to its end: its SHA-256 and length. */
    public static BlobDescriptor sha256(InputStream in) throws IOException {
        return copy(in, OutputStream.nullOutputStream());
    }

    public static BlobDescriptor sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** Copies {@code in} to its end into {@code out}, returning the SHA-256 and length of what was copied. */
    public static BlobDescriptor copy(InputStream in, OutputStream out) throws IOException {
        CountingDigestOutputStream hashing = new CountingDigestOutputStream(out);
        in.transferTo(hashing);
        hashing.flush();
        return hashing.descriptor();
    }

    /**
     * The raw digest bytes of the parts, one after the other, by JCA algorithm name: for binary formats that embed
     * digests (TPM policies, UEFI GUIDs, PCR banks, which also use SHA-384) rather than name content by them.
     */
    public static byte[] raw(String jcaAlgorithm, byte[]... parts) {
        MessageDigest hasher = newHasher(jcaAlgorithm);
        for (byte[] part : parts) {
            hasher.update(part);
        }
        return hasher.digest();
    }

    /** Reads {@code in} to its end once, returning its raw digest with each of the algorithms (JCA names). */
    public static Map<String, byte[]> raw(InputStream in, List<String> jcaAlgorithms) throws IOException {
        Map<String, MessageDigest> hashers = new LinkedHashMap<>();
        for (String algorithm : jcaAlgorithms) {
            hashers.put(algorithm, newHasher(algorithm));
        }
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) != -1; ) {
            for (MessageDigest hasher : hashers.values()) {
                hasher.update(buffer, 0, n);
            }
        }
        Map<String, byte[]> digests = new LinkedHashMap<>();
        hashers.forEach((algorithm, hasher) -> digests.put(algorithm, hasher.digest()));
        return digests;
    }

    /** How many bytes a digest of the algorithm (JCA name) has. */
    public static int rawLength(String jcaAlgorithm) {
        return newHasher(jcaAlgorithm).getDigestLength();
    }

    static MessageDigest newHasher(String jcaAlgorithm) {
        try {
            return MessageDigest.getInstance(jcaAlgorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot compute " + jcaAlgorithm, e);
        }
    }
}
