package dev.imagefactory.build;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A kernel command line as Talos models it (go-procfs, talos-imager.md §3.1): an ordered list of keys, each holding
 * an ordered list of values. All values of a key render together, at the key's first position, so merging is
 * predictable and the output is what upstream prints byte for byte.
 *
 * <p>Not thread-safe; build one per cmdline.
 */
public final class KernelCmdline {

    /** Insertion order = key order; re-putting an existing key keeps its position, which is exactly "in place". */
    private final LinkedHashMap<String, List<String>> params = new LinkedHashMap<>();

    /** An empty command line. */
    public KernelCmdline() {
    }

    /**
     * Parses arguments the way go-procfs does: join with spaces, split on (Unicode) white space, split each token at
     * its first {@code =} (a bare token has the empty value). A key seen twice gets both values, at its first
     * position.
     */
    public static KernelCmdline parse(Collection<String> args) {
        KernelCmdline parsed = new KernelCmdline();
        for (String token : fields(String.join(" ", args))) {
            int eq = token.indexOf('=');
            if (eq < 0) {
                parsed.append(token, "");
            } else {
                parsed.append(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return parsed;
    }

    public static KernelCmdline parse(String... args) {
        return parse(List.of(args));
    }

    /** Adds {@code value} to {@code key}'s values; a new key goes to the end. */
    public KernelCmdline append(String key, String value) {
        params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        return this;
    }

    /** For each parsed key: replace its whole value list in place, or add it at the end. */
    public KernelCmdline setAll(Collection<String> args) {
        parse(args).params.forEach(this::set);
        return this;
    }

    /** For each parsed key, append each of its values ({@link #append}). */
    public KernelCmdline appendAll(Collection<String> args) {
        return appendAll(args, Set.of(), false);
    }

    /**
     * {@link #appendAll(Collection)} with go-procfs' options, applied per parsed key in order:
     * <ul>
     *   <li>{@code deleteNegated} and the key is {@code -name} (length > 1): a bare {@code -name} removes key
     *       {@code name} entirely; {@code -name=v} removes only the values equal to {@code v} and leaves the key,
     *       possibly with no values (it then renders as nothing, but keeps its position for later appends);</li>
     *   <li>a key in {@code overwrite}: replace as {@link #setAll} does;</li>
     *   <li>otherwise: append each value.</li>
     * </ul>
     * Duplicates merge when parsing, so {@code -foo -foo=bar} arrives as key {@code -foo} with values {@code ["",
     * "bar"]}; each value is applied in order (whole-key removal, then a no-op).
     */
    public KernelCmdline appendAll(Collection<String> args, Set<String> overwrite, boolean deleteNegated) {
        parse(args).params.forEach((key, values) -> {
            if (deleteNegated && key.length() > 1 && key.charAt(0) == '-') {
                String target = key.substring(1);
                for (String value : values) {
                    if (value.isEmpty()) {
                        params.remove(target);
                    } else if (params.containsKey(target)) {
                        params.get(target).removeIf(value::equals);
                    }
                }
            } else if (overwrite.contains(key)) {
                set(key, values);
            } else {
                values.forEach(v -> append(key, v));
            }
        });
        return this;
    }

    /** The values of {@code key}, in order; empty if the key is absent. A present key may have no values. */
    public Optional<List<String>> get(String key) {
        List<String> values = params.get(key);
        return values == null ? Optional.empty() : Optional.of(List.copyOf(values));
    }

    /** The keys in order, including keys left without values. */
    public List<String> keys() {
        return List.copyOf(params.keySet());
    }

    /** {@code key=value} per value, or the bare key for an empty value, joined by single spaces. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            for (String value : e.getValue()) {
                if (!out.isEmpty()) {
                    out.append(' ');
                }
                out.append(e.getKey());
                if (!value.isEmpty()) {
                    out.append('=').append(value);
                }
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    private void set(String key, List<String> values) {
        params.put(key, new ArrayList<>(values));
    }

    /** Go's {@code strings.Fields}: split around runs of {@code unicode.IsSpace} code points. */
    static List<String> fields(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (isGoSpace(cp)) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Unicode White_Space, as Go's {@code unicode.IsSpace}: \t \n \v \f \r, U+0085, and the Z categories. */
    private static boolean isGoSpace(int cp) {
        if (cp <= 0xFF) {
            return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
