package dev.imagefactory.schematic.goyaml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Go types a schematic is decoded into, described as data so one decoder can follow go-yaml's rules for
 * each kind of target (string, bool, unsigned ints, interface{}, slices, structs, map[string]any, and a
 * text-unmarshalled enum).
 */
public sealed interface GoType {

    String goName();

    record Str() implements GoType {
        public String goName() {
            return "string";
        }
    }

    record Bool() implements GoType {
        public String goName() {
            return "bool";
        }
    }

    /** An unsigned integer of {@code bits} width (uint8, uint). */
    record Uint(int bits, String goName) implements GoType {
    }

    record Any() implements GoType {
        public String goName() {
            return "interface {}";
        }
    }

    record Slice(GoType element) implements GoType {
        public String goName() {
            return "[]" + element.goName();
        }
    }

    record StringAnyMap() implements GoType {
        public String goName() {
            return "map[string]interface {}";
        }
    }

    /** {@code map[interface{}]interface{}}: what a mapping with a non-string key becomes under interface{}. */
    record AnyMap() implements GoType {
        public String goName() {
            return "map[interface {}]interface {}";
        }
    }

    /** A type implementing encoding.TextUnmarshaler: {@code parse} returns null for text it refuses. */
    record Text(String goName, Function<String, Object> parse, Function<Object, String> format, Object zero)
            implements GoType {
    }

    /** A struct; fields in declaration order, each with its YAML key. */
    record Struct(String goName, List<Field> fields) implements GoType {
        public Field field(String key) {
            for (Field f : fields) {
                if (f.key().equals(key)) {
                    return f;
                }
            }
            return null;
        }

        public Map<String, Object> newValue() {
            Map<String, Object> v = new LinkedHashMap<>();
            for (Field f : fields) {
                v.put(f.key(), null);
            }
            return v;
        }
    }

    /** A struct field; {@code omitEmpty} mirrors the {@code ,omitempty} option of its yaml tag. */
    record Field(String key, GoType type, boolean omitEmpty) {
    }
}
