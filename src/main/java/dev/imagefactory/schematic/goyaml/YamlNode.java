package dev.imagefactory.schematic.goyaml;

import java.util.ArrayList;
import java.util.List;

/** A composed YAML node, as go-yaml's composer builds it; also used as the emitter's input. */
public final class YamlNode {

    public enum Kind { DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS }

    public enum Style { PLAIN, SINGLE_QUOTED, DOUBLE_QUOTED, LITERAL, FOLDED, FLOW }

    public final Kind kind;
    /** Short tag ("!!str", "!!binary", "!foo"), or "" when none was given (input) / implied (output). */
    public String tag;
    /** Scalar text (UTF-8 bytes, which may be invalid UTF-8 only for decoded !!binary) or the alias name. */
    public byte[] value;
    public Style style;
    public final List<YamlNode> content = new ArrayList<>();
    public YamlNode alias;
    public final int line;
    /**
     * Bytes this node stands for with every alias in it expanded, set by the composer when the node is complete
     * (scalar text plus a small overhead per node); -1 while a collection is still being composed.
     */
    long expandedBytes = -1;

    public YamlNode(Kind kind, String tag, byte[] value, Style style, int line) {
        this.kind = kind;
        this.tag = tag == null ? "" : tag;
        this.value = value == null ? new byte[0] : value;
        this.style = style;
        this.line = line;
    }

    public String text() {
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    boolean isQuotedStyle() {
        return style == Style.SINGLE_QUOTED || style == Style.DOUBLE_QUOTED
                || style == Style.LITERAL || style == Style.FOLDED;
    }

    /** go-yaml's {@code indicatedString}: quoted (without a tag) or explicitly tagged !!str. */
    boolean indicatedString() {
        return kind == Kind.SCALAR && (Tags.STR.equals(tag) || (tag.isEmpty() || tag.equals("!")) && isQuotedStyle());
    }

    /** go-yaml's {@code ShortTag()} after resolution. */
    String shortTag() {
        if (indicatedString()) {
            return Tags.STR;
        }
        if (tag.isEmpty() || tag.equals("!")) {
            return switch (kind) {
                case MAPPING -> Tags.MAP;
                case SEQUENCE -> Tags.SEQ;
                case ALIAS -> alias != null ? alias.shortTag() : "";
                case SCALAR -> Tags.STR;
                default -> "";
            };
        }
        return tag;
    }
}
