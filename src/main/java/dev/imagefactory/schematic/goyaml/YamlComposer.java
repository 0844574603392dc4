package dev.imagefactory.schematic.goyaml;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the node tree of the <em>first</em> document of a YAML stream, like go-yaml's composer does for a
 * single {@code Decoder.Decode} call, over {@link LibyamlParser} (go-yaml's own reader, scanner and parser).
 * Parsing stops at the first document's end event, so what follows it can only make the request fail if
 * go-yaml's look-ahead reaches it, exactly as in the reference. Anchors are registered before their children,
 * so a self-referencing alias composes and is refused later by the decoder, as in go-yaml.
 */
public final class YamlComposer {

    private final LibyamlParser parser;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final int maxDepth;
    private final DecodeLimits limits;
    private int depth;
    /**
     * The document's size so far with aliases expanded (an alias of a collection still open counts nothing yet)
     * and, as the decoder counts it, the indentation of each line: an estimate of the canonical YAML's size.
     */
    private long expandedBytes;
    private LibyamlParser.Event event;

    private YamlComposer(byte[] input, DecodeLimits limits) {
        this.parser = new LibyamlParser(input);
        this.maxDepth = limits.maxDepth();
        this.limits = limits;
    }

    /**
     * Returns the first document's root node, or {@code null} when the stream holds no document. The limits are
     * checked as the document is read: a collection nested deeper than allowed, or aliases that expand the document
     * past the byte limit, are refused at once, before the rest of the input is scanned.
     */
    public static YamlNode composeFirstDocument(byte[] input, DecodeLimits limits) {
        YamlComposer composer = new YamlComposer(input, limits);
        try {
            composer.expect(LibyamlParser.EventType.STREAM_START);
            if (composer.peek() != LibyamlParser.EventType.DOCUMENT_START) {
                return null; // STREAM_END: an empty stream
            }
            return composer.document();
        } catch (LibyamlParser.Error e) {
            throw new YamlSyntaxException(e.getMessage());
        }
    }

    private YamlNode document() {
        expect(LibyamlParser.EventType.DOCUMENT_START);
        YamlNode root = compose();
        expect(LibyamlParser.EventType.DOCUMENT_END);
        return root;
    }

    private YamlNode compose() {
        return switch (peek()) {
            case SCALAR -> scalar();
            case ALIAS -> alias();
            case MAPPING_START -> collection(YamlNode.Kind.MAPPING, LibyamlParser.EventType.MAPPING_END);
            case SEQUENCE_START -> collection(YamlNode.Kind.SEQUENCE, LibyamlParser.EventType.SEQUENCE_END);
            default -> throw new YamlSyntaxException("yaml: line " + event.start.line() + ": unexpected "
                    + event.type + " event");
        };
    }

    private YamlNode scalar() {
        YamlNode.Style style = switch (event.scalarStyle) {
            case DOUBLE_QUOTED -> YamlNode.Style.DOUBLE_QUOTED;
            case SINGLE_QUOTED -> YamlNode.Style.SINGLE_QUOTED;
            case LITERAL -> YamlNode.Style.LITERAL;
            case FOLDED -> YamlNode.Style.FOLDED;
            default -> YamlNode.Style.PLAIN;
        };
        YamlNode n = new YamlNode(YamlNode.Kind.SCALAR, tagOf(event.tag), event.value, style, event.start.line());
        n.expandedBytes = n.value.length + DecodeLimits.NODE_OVERHEAD_BYTES;
        grow(n.expandedBytes, n);
        anchor(n, event.anchor);
        expect(LibyamlParser.EventType.SCALAR);
        return n;
    }

    private YamlNode alias() {
        String name = new String(event.anchor, StandardCharsets.UTF_8);
        YamlNode n = new YamlNode(YamlNode.Kind.ALIAS, "", event.anchor, null, event.start.line());
        n.alias = anchors.get(name);
        if (n.alias == null) {
            throw new YamlSyntaxException("yaml: line " + n.line + ": unknown anchor '" + name + "' referenced");
        }
        n.expandedBytes = Math.max(n.alias.expandedBytes, 0) + DecodeLimits.NODE_OVERHEAD_BYTES;
        grow(n.expandedBytes, n);
        expect(LibyamlParser.EventType.ALIAS);
        return n;
    }

    private YamlNode collection(YamlNode.Kind kind, LibyamlParser.EventType end) {
        if (++depth > maxDepth) {
            throw new DecodeLimitException("yaml: line " + event.start.line() + ": nested more than " + maxDepth
                    + " levels");
        }
        YamlNode n = new YamlNode(kind, tagOf(event.tag), null, event.flow ? YamlNode.Style.FLOW : null,
                event.start.line());
        anchor(n, event.anchor);
        expect(kind == YamlNode.Kind.MAPPING ? LibyamlParser.EventType.MAPPING_START
                : LibyamlParser.EventType.SEQUENCE_START);
        while (peek() != end) {
            grow(limits.lineCost(depth), n); // each entry or item starts a line of the canonical YAML
            n.content.add(compose());
            if (kind == YamlNode.Kind.MAPPING) {
                n.content.add(compose());
                if (peek() == LibyamlParser.EventType.TAIL_COMMENT) {
                    expect(LibyamlParser.EventType.TAIL_COMMENT);
                }
            }
        }
        expect(end);
        depth--;
        long total = DecodeLimits.NODE_OVERHEAD_BYTES;
        for (YamlNode child : n.content) {
            total += child.expandedBytes;
        }
        n.expandedBytes = total;
        grow(DecodeLimits.NODE_OVERHEAD_BYTES, n);
        return n;
    }

    private void grow(long bytes, YamlNode at) {
        expandedBytes += bytes;
        if (expandedBytes > limits.maxBytes()) {
            throw new DecodeLimitException("yaml: line " + at.line + ": the document is larger than "
                    + DecodeLimits.describe(limits.maxBytes()) + " with its aliases expanded");
        }
    }

    private void anchor(YamlNode n, byte[] name) {
        if (name != null) {
            anchors.put(new String(name, StandardCharsets.UTF_8), n);
        }
    }

    /** go-yaml keeps "" and "!" (the non-specific tag) as they are and shortens tag:yaml.org,2002: tags. */
    private static String tagOf(byte[] tag) {
        if (tag == null || tag.length == 0) {
            return "";
        }
        return Tags.shorten(new String(tag, StandardCharsets.UTF_8));
    }

    private LibyamlParser.EventType peek() {
        if (event == null) {
            event = parser.parse();
            if (event == null) {
                throw new YamlSyntaxException("yaml: attempted to go past the end of stream");
            }
        }
        return event.type;
    }

    private void expect(LibyamlParser.EventType type) {
        LibyamlParser.EventType got = peek();
        if (got == LibyamlParser.EventType.STREAM_END && type != LibyamlParser.EventType.STREAM_END) {
            throw new YamlSyntaxException("yaml: line " + event.start.line()
                    + ": attempted to go past the end of stream; corrupted value?");
        }
        if (got != type) {
            throw new YamlSyntaxException("yaml: line " + event.start.line() + ": expected " + type
                    + " event but got " + got);
        }
        event = null;
    }
}
