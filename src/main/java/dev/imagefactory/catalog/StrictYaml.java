package dev.imagefactory.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads small YAML data files into maps and lists, refusing duplicate keys, and checks their shape. Problems are
 * {@link IllegalArgumentException}s whose message says where ({@code extensions[3].ref: ...}); callers add the file.
 */
final class StrictYaml {

    private StrictYaml() {
    }

    static Object load(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage().replace('\n', ' '), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> mapping(Object node, String where) {
        if (node instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new IllegalArgumentException(where + ": expected a mapping");
    }

    static List<Object> sequence(Object node, String where) {
        if (node instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        throw new IllegalArgumentException(where + ": expected a list");
    }

    /** A string field; numbers, booleans and dates are refused so that {@code 1.10} never turns into {@code 1.1}. */
    static String string(Map<Object, Object> map, String key, String where, boolean required) {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(where + ": missing \"" + key + "\"");
            }
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException(where + "." + key + ": expected a string (quote it)");
        }
        return s;
    }

    /** Upstream files are written by other tools: take any scalar as its text, as go-yaml does for string fields. */
    static String text(Map<Object, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? "" : value.toString();
    }

    static void onlyKeys(Map<Object, Object> map, String where, String... allowed) {
        Set<Object> unknown = new LinkedHashSet<>(map.keySet());
        unknown.removeAll(Set.of((Object[]) allowed));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown key(s) " + unknown + ", expected " + List.of(allowed));
        }
    }
}
