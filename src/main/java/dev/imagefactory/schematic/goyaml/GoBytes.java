package dev.imagefactory.schematic.goyaml;

import java.util.Arrays;

/** A Go string holding bytes that are not valid UTF-8 (only a decoded !!binary can produce one). */
public record GoBytes(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
        return o instanceof GoBytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
