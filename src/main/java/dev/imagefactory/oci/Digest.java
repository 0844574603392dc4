package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A content digest {@code <algorithm>:<hex>}. Only algorithms we can verify are accepted (sha256, sha512), so every
 * digest in hand can be checked against the bytes it names.
 */
public record Digest(String algorithm, String hex) {

    private static final Map<String, Integer> HEX_LENGTH = Map.of("sha256", 64, "sha512", 128);
    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        Integer length = HEX_LENGTH.get(algorithm);
        if (length == null) {
            throw new IllegalArgumentException("unsupported digest algorithm \"" + algorithm + "\"");
        }
        if (hex.length() != length || !LOWER_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest \"" + hex + "\"");
        }
    }

    @JsonCreator
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid digest \"" + text + "\"");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] content) {
        try {
            return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh hasher for this digest's algorithm. */
    MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean matches(byte[] computed) {
        return HexFormat.of().formatHex(computed).equals(hex);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
