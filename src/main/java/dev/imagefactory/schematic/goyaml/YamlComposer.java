package dev.imagefactory.schematic.goyaml;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Builds the node tree of the <em>first</em> document of a YAML stream, like go-yaml's composer does for a
 * single {@code Decoder.Decode} call: later documents are never parsed, so what follows the first document
 * cannot make the request fail. Anchors are registered before their children, so a self-referencing alias
 * composes and is refused later by the decoder, as in go-yaml.
 */
public final class YamlComposer {

    /** go-yaml's default nesting limit for collections. */
    private static final int MAX_DEPTH = 10_000;

    private final Parser parser;
    private final Map<String, YamlNode> anchors = new HashMap<>();

    private YamlComposer(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(Integer.MAX_VALUE);
        options.setAllowDuplicateKeys(true);
        this.parser = new ParserImpl(new StreamReader(text), options);
    }

    /** Returns the first document's root node, or {@code null} when the stream holds no document. */
    public static YamlNode composeFirstDocument(byte[] input) {
        YamlComposer composer = new YamlComposer(decode(input));
        try {
            return composer.document();
        } catch (MarkedYAMLException e) {
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new YamlSyntaxException("yaml: line " + line + ": " + problem);
        } catch (YAMLException e) {
            throw new YamlSyntaxException("yaml: " + e.getMessage());
        }
    }

    private YamlNode document() {
        expect(Event.ID.StreamStart);
        if (parser.checkEvent(Event.ID.StreamEnd)) {
            return null;
        }
        expect(Event.ID.DocumentStart);
        YamlNode root = node();
        expect(Event.ID.DocumentEnd);
        return root;
    }

    private YamlNode node() {
        Event event = parser.getEvent();
        int line = event.getStartMark() != null ? event.getStartMark().getLine() + 1 : 0;
        if (event instanceof AliasEvent alias) {
            YamlNode node = new YamlNode(YamlNode.Kind.ALIAS, "", utf8(alias.getAnchor()), null, line);
            node.alias = anchors.get(alias.getAnchor());
            if (node.alias == null) {
                throw new YamlSyntaxException("yaml: line " + line + ": unknown anchor '" + alias.getAnchor() + "' referenced");
            }
            return node;
        }
        if (event instanceof ScalarEvent scalar) {
            YamlNode node = new YamlNode(YamlNode.Kind.SCALAR, tagOf(scalar.getTag()), utf8(scalar.getValue()),
                    styleOf(scalar.getScalarStyle()), line);
            anchor(scalar, node);
            return node;
        }
        if (event instanceof CollectionStartEvent start) {
            boolean mapping = event.is(Event.ID.MappingStart);
            YamlNode node = new YamlNode(mapping ? YamlNode.Kind.MAPPING : YamlNode.Kind.SEQUENCE,
                    tagOf(start.getTag()), null, start.isFlow() ? YamlNode.Style.FLOW : null, line);
            anchor(start, node);
            Event.ID end = mapping ? Event.ID.MappingEnd : Event.ID.SequenceEnd;
            while (!parser.checkEvent(end)) {
                node.content.add(node());
            }
            parser.getEvent();
            return node;
        }
        throw new YamlSyntaxException("yaml: line " + line + ": unexpected " + event.getEventId());
    }

    private void anchor(NodeEvent event, YamlNode node) {
        if (event.getAnchor() != null) {
            anchors.put(event.getAnchor(), node);
        }
    }

    private void expect(Event.ID id) {
        Event event = parser.getEvent();
        if (!event.is(id)) {
            throw new YamlSyntaxException("yaml: expected " + id + " event but got " + event.getEventId());
        }
    }

    /** go-yaml keeps "!" (the non-specific tag) as is and shortens tag:yaml.org,2002: tags. */
    private static String tagOf(String tag) {
        return Tags.shorten(tag);
    }

    private static YamlNode.Style styleOf(DumperOptions.ScalarStyle style) {
        return switch (style) {
            case SINGLE_QUOTED -> YamlNode.Style.SINGLE_QUOTED;
            case DOUBLE_QUOTED -> YamlNode.Style.DOUBLE_QUOTED;
            case LITERAL -> YamlNode.Style.LITERAL;
            case FOLDED -> YamlNode.Style.FOLDED;
            default -> YamlNode.Style.PLAIN;
        };
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Like libyaml's reader: a BOM selects UTF-8/UTF-16, otherwise UTF-8; malformed input is an error. */
    static String decode(byte[] input) {
        Charset charset = StandardCharsets.UTF_8;
        int offset = 0;
        if (input.length >= 2 && (input[0] & 0xff) == 0xFF && (input[1] & 0xff) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            offset = 2;
        } else if (input.length >= 2 && (input[0] & 0xff) == 0xFE && (input[1] & 0xff) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            offset = 2;
        } else if (input.length >= 3 && (input[0] & 0xff) == 0xEF && (input[1] & 0xff) == 0xBB && (input[2] & 0xff) == 0xBF) {
            offset = 3;
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input, offset, input.length - offset))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new YamlSyntaxException("yaml: invalid " + charset.name() + " in input");
        }
    }
}
