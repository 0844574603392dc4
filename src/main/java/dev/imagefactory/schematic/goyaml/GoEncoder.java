package dev.imagefactory.schematic.goyaml;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * go-yaml's representer and "desolver" for {@code yaml.Marshal}: turns decoded values into output nodes whose
 * tag is "" where the plain text re-resolves to the same type, and whose style forces quotes where it would
 * not (double quotes for strings that look like other types, single quotes for YAML 1.1 booleans).
 */
public final class GoEncoder {

    private static final Pattern BASE60_FLOAT =
            Pattern.compile("^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$");

    private GoEncoder() {
    }

    /** Marshals {@code value} of {@code type} to the canonical bytes {@code yaml.Marshal} would produce. */
    public static byte[] marshal(Object value, GoType type) {
        return GoEmitter.emit(represent(value, type));
    }

    static YamlNode represent(Object value, GoType type) {
        if (type instanceof GoType.Struct s) {
            return struct(s, asMap(value));
        }
        if (value == null) {
            return zero(type);
        }
        if (type instanceof GoType.Text t) {
            return string(t.format().apply(value));
        }
        if (type instanceof GoType.Slice s) {
            YamlNode seq = new YamlNode(YamlNode.Kind.SEQUENCE, "", null, null, 0);
            for (Object item : (List<?>) value) {
                seq.content.add(represent(item, s.element()));
            }
            return seq;
        }
        return any(value);
    }

    /** The representation of a Go zero value (a field the input never set). */
    private static YamlNode zero(GoType type) {
        if (type instanceof GoType.Str) {
            return string("");
        }
        if (type instanceof GoType.Bool) {
            return scalar("false", "", null);
        }
        if (type instanceof GoType.Uint) {
            return scalar("0", "", null);
        }
        if (type instanceof GoType.Slice) {
            return new YamlNode(YamlNode.Kind.SEQUENCE, "", null, null, 0);
        }
        if (type instanceof GoType.StringAnyMap) {
            return new YamlNode(YamlNode.Kind.MAPPING, "", null, null, 0);
        }
        if (type instanceof GoType.Text t) {
            return string(t.format().apply(t.zero()));
        }
        return scalar("null", "", null);
    }

    private static YamlNode struct(GoType.Struct s, Map<String, Object> fields) {
        YamlNode map = new YamlNode(YamlNode.Kind.MAPPING, "", null, null, 0);
        for (GoType.Field f : s.fields()) {
            Object v = fields == null ? null : fields.get(f.key());
            if (f.omitEmpty() && isZero(v, f.type())) {
                continue;
            }
            map.content.add(string(f.key()));
            map.content.add(represent(v, f.type()));
        }
        return map;
    }

    /** go-yaml's isZero for omitempty, over our value representation. */
    static boolean isZero(Object v, GoType type) {
        if (v == null) {
            return true;
        }
        if (type instanceof GoType.Struct s) {
            Map<String, Object> m = asMap(v);
            for (GoType.Field f : s.fields()) {
                if (!isZero(m.get(f.key()), f.type())) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof String str) {
            return str.isEmpty();
        }
        if (v instanceof List<?> l) {
            return l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return m.isEmpty();
        }
        if (v instanceof Boolean b) {
            return !b;
        }
        if (v instanceof BigInteger b) {
            return b.signum() == 0;
        }
        if (type instanceof GoType.Text t) {
            return v.equals(t.zero());
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v) {
        return (Map<String, Object>) v;
    }

    private static YamlNode any(Object v) {
        if (v == null) {
            return scalar("null", "", null);
        }
        if (v instanceof String s) {
            return string(s);
        }
        if (v instanceof GoBytes b) {
            return binary(b.bytes());
        }
        if (v instanceof Boolean b) {
            return scalar(b ? "true" : "false", "", null);
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return scalar(v.toString(), "", null);
        }
        if (v instanceof Double d) {
            // FormatFloat output always re-resolves as a float or an int, so the tag is implicit.
            return scalar(GoFloat.format(d), "", null);
        }
        if (v instanceof GoTime t) {
            String s = t.format();
            String tag = GoResolver.resolve("", s).tag().equals(Tags.TIMESTAMP) ? "" : Tags.TIMESTAMP;
            return scalar(s, tag, null);
        }
        if (v instanceof List<?> list) {
            YamlNode seq = new YamlNode(YamlNode.Kind.SEQUENCE, "", null, null, 0);
            for (Object item : list) {
                seq.content.add(any(item));
            }
            return seq;
        }
        if (v instanceof Map<?, ?> m) {
            YamlNode map = new YamlNode(YamlNode.Kind.MAPPING, "", null, null, 0);
            for (Object k : GoKeyOrder.sort(new ArrayList<>(m.keySet()))) {
                if (k instanceof GoMapKeys.NaNKey) {
                    // Go's MapIndex(NaN) finds nothing: the key is written, its value as null.
                    map.content.add(any(Double.NaN));
                    map.content.add(any(null));
                    continue;
                }
                map.content.add(any(k));
                map.content.add(any(m.get(k)));
            }
            return map;
        }
        throw new IllegalArgumentException("cannot represent " + v.getClass());
    }

    /** go-yaml's stringv followed by the desolver's quoting decision. */
    static YamlNode string(String s) {
        boolean needsQuoting = isBase60Float(s) || isOldBool(s) || s.equals("<<");
        YamlNode.Style style;
        if (s.contains("\n")) {
            style = shouldUseLiteralStyle(s) ? YamlNode.Style.LITERAL : YamlNode.Style.DOUBLE_QUOTED;
        } else if (needsQuoting) {
            style = YamlNode.Style.SINGLE_QUOTED;
        } else {
            style = YamlNode.Style.PLAIN;
        }
        if (!GoResolver.resolve("", s).tag().equals(Tags.STR) && style == YamlNode.Style.PLAIN) {
            style = YamlNode.Style.DOUBLE_QUOTED; // QuoteLegacy prefers double quotes here
        }
        return scalar(s, "", style);
    }

    /** A Go string that is not UTF-8 is written as base64 under an explicit !!binary tag. */
    private static YamlNode binary(byte[] bytes) {
        String b64 = Base64.getEncoder().encodeToString(bytes);
        StringBuilder sb = new StringBuilder();
        int lines = b64.length() / 70 + 1;
        for (int i = 0; i < b64.length(); i += 70) {
            sb.append(b64, i, Math.min(b64.length(), i + 70));
            if (lines > 1) {
                sb.append('\n');
            }
        }
        String s = sb.toString();
        YamlNode.Style style = s.contains("\n")
                ? (shouldUseLiteralStyle(s) ? YamlNode.Style.LITERAL : YamlNode.Style.DOUBLE_QUOTED)
                : YamlNode.Style.PLAIN;
        return scalar(s, Tags.BINARY, style);
    }

    private static YamlNode scalar(String value, String tag, YamlNode.Style style) {
        return new YamlNode(YamlNode.Kind.SCALAR, tag, value.getBytes(StandardCharsets.UTF_8),
                style == null ? YamlNode.Style.PLAIN : style, 0);
    }

    static boolean isOldBool(String s) {
        return switch (s) {
            case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF" -> true;
            default -> false;
        };
    }

    static boolean isBase60Float(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char c = s.charAt(0);
        if (!(c == '+' || c == '-' || c >= '0' && c <= '9') || s.indexOf(':') < 0) {
            return false;
        }
        return BASE60_FLOAT.matcher(s).matches();
    }

    private static boolean shouldUseLiteralStyle(String s) {
        if (!s.contains("\n") || s.getBytes(StandardCharsets.UTF_8).length < 2) {
            return false;
        }
        return s.codePoints().anyMatch(cp -> !isGoSpace(cp));
    }

    /** Go's unicode.IsSpace. */
    private static boolean isGoSpace(int cp) {
        if (cp <= 0xFF) {
            return cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r' || cp == ' '
                    || cp == 0x85 || cp == 0xA0;
        }
        return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
