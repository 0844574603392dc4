package dev.imagefactory.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest, written {@code <algorithm>:<hex>} (OCI descriptors, registry headers, cache metadata). Only
 * algorithms the factory can compute are accepted (sha256, sha512), so every digest in hand can be checked against
 * the bytes it names. A value type: computing digests is {@code dev.imagefactory.content.Digests}' job.
 */
public record Digest(Algorithm algorithm, String hex) {

    /** The algorithms a digest may name: its OCI identifier, the JCA name that computes it, its hex length. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String id;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String id, String jcaName, int hexLength) {
            this.id = id;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        /** As written before the colon ({@code sha256}). */
        public String id() {
            return id;
        }

        /** The name {@code java.security.MessageDigest} knows it by. */
        public String jcaName() {
            return jcaName;
        }

        public int hexLength() {
            return hexLength;
        }

        /** @throws IllegalArgumentException for an algorithm the factory does not compute */
        public static Algorithm of(String id) {
            for (Algorithm a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unsupported digest algorithm \"" + id + "\"");
        }

        /** The identifier, so an algorithm concatenated into a path or message reads as the OCI name. */
        @Override
        public String toString() {
            return id;
        }
    }

    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        if (hex == null || hex.length() != algorithm.hexLength() || !LOWER_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest \"" + hex + "\"");
        }
    }

    /** {@code <algorithm>:<hex>}; refuses anything else, an unsupported algorithm included. */
    @JsonCreator
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid digest \"" + text + "\"");
        }
        return new Digest(Algorithm.of(text.substring(0, colon)), text.substring(colon + 1));
    }

    /** A SHA-256 digest from its 64 lowercase hex characters. */
    public static Digest sha256Hex(String hex) {
        return new Digest(Algorithm.SHA256, hex);
    }

    /** A SHA-512 digest from its 128 lowercase hex characters. */
    public static Digest sha512Hex(String hex) {
        return new Digest(Algorithm.SHA512, hex);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm.id() + ":" + hex;
    }
}
