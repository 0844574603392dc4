package dev.imagefactory.cache;

import dev.imagefactory.content.Digests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The address of a cached artifact: the SHA-256 (64 lowercase hex) of a description of everything that determines
 * its bytes (schematic ID, version, output kind, input digests, builder version). Opaque to the cache.
 */
public record CacheKey(String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public CacheKey {
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("cache key must be 64 lowercase hex characters");
        }
    }

    /** Hashes the parts, each followed by a NUL so ("ab","c") and ("a","bc") differ. */
    public static CacheKey of(String... parts) {
        ByteArrayOutputStream description = new ByteArrayOutputStream();
        for (String part : parts) {
            description.writeBytes(part.getBytes(StandardCharsets.UTF_8));
            description.write(0);
        }
        return new CacheKey(Digests.sha256(description.toByteArray()).hex());
    }

    @Override
    public String toString() {
        return hex;
    }
}
