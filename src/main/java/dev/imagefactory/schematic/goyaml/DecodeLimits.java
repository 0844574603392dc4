package dev.imagefactory.schematic.goyaml;

/**
 * Bounds on composing and decoding one document (go-yaml has none but its node-count alias ratio, which lets a few
 * aliases of a long scalar through).
 *
 * @param maxBytes       the most the decoder may produce: every constructed node costs its scalar text (in full each
 *                       time an alias repeats it) and 2 bytes, and every mapping entry and sequence item the
 *                       indentation its line gets ({@code indentPerLevel} bytes a nesting level)
 * @param maxDepth       nesting levels of collections, in the composed document and in the decoded value
 * @param indentPerLevel the emitter's indent, so that the charge approximates the size of the re-encoded document
 */
public record DecodeLimits(long maxBytes, int maxDepth, int indentPerLevel) {

    /** A separator and a line break, roughly what the emitter adds around each node. */
    static final int NODE_OVERHEAD_BYTES = 2;

    /** What a node costs by itself: its text, if it is a scalar, and the overhead. */
    long nodeCost(YamlNode n) {
        return (n.kind == YamlNode.Kind.SCALAR ? n.value.length : 0) + NODE_OVERHEAD_BYTES;
    }

    /** What the line of a mapping entry or sequence item at this depth costs in indentation. */
    long lineCost(int depth) {
        return (long) indentPerLevel * depth;
    }

    /** "1 MiB" for whole mebibytes, else a byte count. */
    static String describe(long bytes) {
        long mib = 1024 * 1024;
        return bytes % mib == 0 ? bytes / mib + " MiB" : bytes + " bytes";
    }
}
