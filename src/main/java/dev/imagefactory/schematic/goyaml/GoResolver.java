package dev.imagefactory.schematic.goyaml;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** go-yaml's {@code resolve}: the implicit type of a scalar, and the checks of an explicit core tag. */
final class GoResolver {

    private static final Pattern YAML_STYLE_FLOAT =
            Pattern.compile("^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$");
    /**
     * What Go's strconv.ParseFloat accepts for text starting with '.': Go literal syntax, where '_' may
     * separate digits (".5_5" is 0.55, see {@link #underscoreOK}); go-yaml passes such text to ParseFloat as is.
     */
    private static final Pattern GO_DOT_FLOAT =
            Pattern.compile("^\\.(?=[0-9_]*[0-9])[0-9_]*(?:[eE][-+]?[0-9][0-9_]*)?$");
    private static final Map<String, Resolved> EXACT = new HashMap<>();

    static {
        for (String s : new String[] {"true", "True", "TRUE"}) EXACT.put(s, new Resolved(Tags.BOOL, true));
        for (String s : new String[] {"false", "False", "FALSE"}) EXACT.put(s, new Resolved(Tags.BOOL, false));
        for (String s : new String[] {"", "~", "null", "Null", "NULL"}) EXACT.put(s, new Resolved(Tags.NULL, null));
        for (String s : new String[] {".nan", ".NaN", ".NAN"}) EXACT.put(s, new Resolved(Tags.FLOAT, Double.NaN));
        for (String s : new String[] {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
            EXACT.put(s, new Resolved(Tags.FLOAT, Double.POSITIVE_INFINITY));
        }
        for (String s : new String[] {"-.inf", "-.Inf", "-.INF"}) EXACT.put(s, new Resolved(Tags.FLOAT, Double.NEGATIVE_INFINITY));
        for (String s : new String[] {"-0", "-0.0"}) EXACT.put(s, new Resolved(Tags.FLOAT, -0.0d));
        EXACT.put("<<", new Resolved(Tags.MERGE, "<<")); // a Go string, like every resolved merge key
    }

    private GoResolver() {
    }

    static boolean resolvable(String tag) {
        return tag.isEmpty() || tag.equals(Tags.STR) || tag.equals(Tags.BOOL) || tag.equals(Tags.INT)
                || tag.equals(Tags.FLOAT) || tag.equals(Tags.NULL) || tag.equals(Tags.TIMESTAMP);
    }

    /** Resolves {@code in} under the (short) tag hint; an explicit tag the value cannot satisfy is an error. */
    static Resolved resolve(String tag, String in) {
        if (!resolvable(tag)) {
            return new Resolved(tag, in);
        }
        Resolved r = resolveImplicit(tag, in);
        if (tag.isEmpty() || tag.equals(r.tag()) || tag.equals(Tags.STR) || tag.equals(Tags.BINARY)) {
            return r;
        }
        if (tag.equals(Tags.FLOAT) && r.tag().equals(Tags.INT)) {
            Object v = r.value();
            if (v instanceof Long l) {
                return new Resolved(Tags.FLOAT, (double) l);
            }
            // go-yaml only widens int/int64 here; a uint64 under !!float is refused like any mismatch.
        }
        throw new YamlSyntaxException("yaml: cannot construct " + r.tag() + " `" + in + "` as a " + tag);
    }

    private static Resolved resolveImplicit(String tag, String in) {
        char hint = in.isEmpty() ? 'N' : hint(in.charAt(0));
        if (hint == 0 || tag.equals(Tags.STR) || tag.equals(Tags.BINARY)) {
            return new Resolved(Tags.STR, in);
        }
        Resolved exact = EXACT.get(in);
        if (exact != null) {
            return exact;
        }
        switch (hint) {
            case '.' -> {
                if (GO_DOT_FLOAT.matcher(in).matches() && underscoreOK(in)) {
                    Double d = parseGoFloat(in.replace("_", ""));
                    if (d != null) {
                        return new Resolved(Tags.FLOAT, d);
                    }
                }
            }
            case 'D', 'S' -> {
                if (tag.isEmpty() || tag.equals(Tags.TIMESTAMP)) {
                    GoTime t = GoTime.parse(in);
                    if (t != null) {
                        return new Resolved(Tags.TIMESTAMP, t);
                    }
                }
                String plain = in.replace("_", "");
                Long i = GoNumbers.parseInt(plain);
                if (i != null) {
                    return new Resolved(Tags.INT, i);
                }
                BigInteger u = GoNumbers.parseUint(plain);
                if (u != null) {
                    return new Resolved(Tags.INT, u);
                }
                if (YAML_STYLE_FLOAT.matcher(plain).matches()) {
                    Double d = parseGoFloat(plain);
                    if (d != null) {
                        return new Resolved(Tags.FLOAT, d);
                    }
                }
            }
            default -> {
                // 'M': only the exact table applies, checked above.
            }
        }
        return new Resolved(Tags.STR, in);
    }

    /** Go's ParseFloat for plain decimal syntax: out-of-range values are errors, underflow is zero. */
    private static Double parseGoFloat(String s) {
        double d = Double.parseDouble(s);
        return Double.isInfinite(d) ? null : d;
    }

    /** Go's strconv.underscoreOK for base-10 text: every '_' sits between two digits. */
    static boolean underscoreOK(String s) {
        char saw = '^';
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            i = 1;
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                saw = '0';
                continue;
            }
            if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_') {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }

    private static char hint(char c) {
        if (c == '+' || c == '-') {
            return 'S';
        }
        if (c >= '0' && c <= '9') {
            return 'D';
        }
        if ("yYnNtTfFoO~<".indexOf(c) >= 0) {
            return 'M';
        }
        return c == '.' ? '.' : 0;
    }
}
