package dev.imagefactory.schematic.goyaml;

/**
 * A scalar's resolved tag and value. Values use these Java types for go-yaml's Go types: {@code null} (nil),
 * {@link Boolean}, {@link Long} (int), {@link java.math.BigInteger} (uint64 above int64), {@link Double}
 * (float64), {@link String}, {@link GoBytes} (a string that is not valid UTF-8), {@link GoTime}.
 */
record Resolved(String tag, Object value) {
}
