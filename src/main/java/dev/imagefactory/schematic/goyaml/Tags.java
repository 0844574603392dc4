package dev.imagefactory.schematic.goyaml;

/** The YAML core tags in go-yaml's short form. */
final class Tags {
    static final String LONG_PREFIX = "tag:yaml.org,2002:";
    static final String NULL = "!!null";
    static final String BOOL = "!!bool";
    static final String STR = "!!str";
    static final String INT = "!!int";
    static final String FLOAT = "!!float";
    static final String TIMESTAMP = "!!timestamp";
    static final String SEQ = "!!seq";
    static final String MAP = "!!map";
    static final String BINARY = "!!binary";
    static final String MERGE = "!!merge";

    private Tags() {
    }

    static String shorten(String tag) {
        if (tag == null) {
            return "";
        }
        return tag.startsWith(LONG_PREFIX) ? "!!" + tag.substring(LONG_PREFIX.length()) : tag;
    }
}
