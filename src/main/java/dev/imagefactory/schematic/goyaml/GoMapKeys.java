package dev.imagefactory.schematic.goyaml;

import java.util.Map;
import java.util.Set;

/**
 * Go map-key semantics for the decoded {@code map[any]any} values, where they differ from Java's equals: a NaN
 * key never equals anything (each insertion adds an entry that no lookup finds, and Marshal writes its value as
 * null), and 0.0 equals -0.0 (the later key replaces the earlier one, as Go's mapassign updates float keys).
 */
final class GoMapKeys {

    /** A NaN map key: equal only to itself, so every NaN inserted is a separate entry. */
    static final class NaNKey {
        @Override
        public String toString() {
            return "NaN";
        }
    }

    private GoMapKeys() {
    }

    private static boolean isZero(Object k) {
        return k instanceof Double d && d == 0.0;
    }

    static boolean contains(Map<Object, Object> map, Object key) {
        if (key instanceof Double d && d.isNaN()) {
            return false;
        }
        if (isZero(key)) {
            return map.containsKey(0.0d) || map.containsKey(-0.0d);
        }
        return map.containsKey(key);
    }

    static void put(Map<Object, Object> map, Object key, Object value) {
        if (key instanceof Double d && d.isNaN()) {
            map.put(new NaNKey(), value);
            return;
        }
        if (isZero(key)) {
            map.remove(0.0d);
            map.remove(-0.0d);
        }
        map.put(key, value);
    }

    /** Set membership for merge bookkeeping (a {@code map[any]bool} in go-yaml). */
    static boolean setContains(Set<Object> set, Object key) {
        if (key instanceof Double d && d.isNaN()) {
            return false;
        }
        return set.contains(isZero(key) ? (Object) 0.0d : key);
    }

    static void setAdd(Set<Object> set, Object key) {
        if (key instanceof Double d && d.isNaN()) {
            return;
        }
        set.add(isZero(key) ? (Object) 0.0d : key);
    }
}
