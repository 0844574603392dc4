package dev.imagefactory.schematic.goyaml;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decodes a composed document into values of a {@link GoType} following go-yaml's constructor: which scalars
 * a typed field accepts, silently skipped nulls, dropped sequence items, strict unknown fields, unique keys,
 * merge keys ({@code <<}) and aliases. Type errors are collected like go-yaml does and reported together.
 */
public final class GoDecoder {

    private static final java.util.regex.Pattern STD_BASE64 =
            java.util.regex.Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** A place a decoded value is written to (a struct field, a map entry, a slice element). */
    private interface Slot {
        Object get();

        void set(Object value);
    }

    private static final class Cell implements Slot {
        Object value;

        public Object get() {
            return value;
        }

        public void set(Object v) {
            value = v;
        }
    }

    private final List<String> typeErrors = new ArrayList<>();
    private final Set<YamlNode> activeAliases = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** Keys already set while a merge (<<) is being applied; null outside merges. */
    private Set<Object> mergedFields;
    private long constructCount;
    private long aliasCount;
    private int aliasDepth;
    private final DecodeLimits limits;
    /** What the nodes constructed so far cost under {@link #limits}. */
    private long spent;
    /** Collections entered on the way to the current node (aliases included: they nest what they repeat). */
    private int depth;

    private GoDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    /**
     * Decodes {@code document} (from {@link YamlComposer}) into {@code type}; returns the value (a struct is a
     * {@code Map<String,Object>} of its fields). Throws {@link YamlSyntaxException} on any error.
     */
    public static Object decode(YamlNode document, GoType type, DecodeLimits limits) {
        GoDecoder d = new GoDecoder(limits);
        Cell out = new Cell();
        if (type instanceof GoType.Struct s) {
            out.value = s.newValue();
        }
        d.construct(document, type, out);
        if (!d.typeErrors.isEmpty()) {
            // go-yaml v4's TypeError ("yaml: construct errors:" then one indented line each), on one line
            throw new YamlSyntaxException("yaml: construct errors: " + String.join("; ", d.typeErrors));
        }
        return out.value;
    }

    private boolean construct(YamlNode n, GoType type, Slot out) {
        constructCount++;
        if (aliasDepth > 0) {
            aliasCount++;
        }
        checkAliasRatio(n);
        spend(limits.nodeCost(n), n);
        if (n.kind == YamlNode.Kind.ALIAS) {
            return alias(n, type, out);
        }
        if (n.kind != YamlNode.Kind.SCALAR && type instanceof GoType.Text t) {
            typeErrors.add(at(n) + "cannot construct " + n.shortTag() + " into " + t.goName() + " (TextUnmarshaler)");
            return false;
        }
        if (n.kind == YamlNode.Kind.SCALAR) {
            return scalar(n, type, out);
        }
        if (++depth > limits.maxDepth()) {
            throw new DecodeLimitException("yaml: line " + n.line + ": nested more than " + limits.maxDepth()
                    + " levels");
        }
        try {
            return switch (n.kind) {
                case MAPPING -> mapping(n, type, out);
                case SEQUENCE -> sequence(n, type, out);
                default -> throw new YamlSyntaxException("yaml: unexpected node");
            };
        } finally {
            depth--;
        }
    }

    private void spend(long bytes, YamlNode at) {
        spent += bytes;
        if (spent > limits.maxBytes()) {
            throw new DecodeLimitException("yaml: line " + at.line + ": the decoded document is larger than "
                    + DecodeLimits.describe(limits.maxBytes()) + " (aliases and nesting count in full)");
        }
    }

    private void checkAliasRatio(YamlNode n) {
        if (aliasCount <= 100 || constructCount <= 1000) {
            return;
        }
        double allowed;
        if (constructCount <= 400_000) {
            allowed = 0.99;
        } else if (constructCount >= 4_000_000) {
            allowed = 0.10;
        } else {
            allowed = 0.99 - 0.89 * ((constructCount - 400_000) / 3_600_000.0);
        }
        if ((double) aliasCount / constructCount > allowed) {
            throw new YamlSyntaxException("yaml: line " + n.line + ": document contains excessive aliasing");
        }
    }

    private boolean alias(YamlNode n, GoType type, Slot out) {
        if (!activeAliases.add(n)) {
            throw new YamlSyntaxException("yaml: line " + n.line + ": anchor '" + n.text() + "' value contains itself");
        }
        aliasDepth++;
        try {
            return construct(n.alias, type, out);
        } finally {
            aliasDepth--;
            activeAliases.remove(n);
        }
    }

    // ---- scalars -------------------------------------------------------------------------------------------

    private boolean scalar(YamlNode n, GoType type, Slot out) {
        String tag;
        Object resolved;
        if (n.indicatedString()) {
            tag = Tags.STR;
            resolved = n.text();
        } else {
            Resolved r = GoResolver.resolve(n.tag, n.text());
            tag = r.tag();
            resolved = r.value();
            if (tag.equals(Tags.BINARY)) {
                resolved = decodeBinary(n, (String) resolved);
            }
        }
        if (resolved == null) {
            return nullInto(type, out);
        }
        // go-yaml's "fast path": a resolved value whose Go type is the target's is stored as is, before any
        // tag-specific rule. Every non-core tag (!foo, !, !!map on a scalar, ...) and !!merge resolve to the
        // plain Go string of the text, so such scalars fill string fields.
        if (type instanceof GoType.Str && (resolved instanceof String || resolved instanceof GoBytes)) {
            out.set(resolved);
            return true;
        }
        if (type instanceof GoType.Text t) {
            String text = tag.equals(Tags.BINARY) ? resolved.toString() : n.text();
            Object parsed = t.parse().apply(text);
            if (parsed == null) {
                typeErrors.add(at(n) + text + " does not belong to " + t.goName() + " values");
                return false;
            }
            out.set(parsed);
            return true;
        }
        if (type instanceof GoType.Any) {
            if (tag.equals(Tags.MERGE)) {
                return false; // constructMerge: a !!merge scalar is never a value
            }
            out.set(resolved);
            return true;
        }
        switch (tag) {
            case Tags.STR, Tags.BINARY:
                return fromString(n, tag, resolved, type, out);
            case Tags.INT:
                return fromInt(n, resolved, type, out);
            case Tags.BOOL:
                if (type instanceof GoType.Bool) {
                    out.set(resolved);
                    return true;
                }
                if (type instanceof GoType.Str) {
                    out.set(n.text());
                    return true;
                }
                break;
            case Tags.FLOAT:
                if (type instanceof GoType.Uint u) {
                    double f = (Double) resolved;
                    if (f >= 0 && f <= 18446744073709551615.0) {
                        BigInteger v = new java.math.BigDecimal(f).toBigInteger();
                        if (v.doubleValue() == f && v.compareTo(UINT64_MAX) <= 0 && v.bitLength() <= u.bits()) {
                            out.set(v);
                            return true;
                        }
                    }
                } else if (type instanceof GoType.Str) {
                    out.set(n.text());
                    return true;
                }
                break;
            case Tags.MERGE:
                return false;
            default:
                break;
        }
        tagError(n, tag, type);
        return false;
    }

    private boolean fromString(YamlNode n, String tag, Object resolved, GoType type, Slot out) {
        if (type instanceof GoType.Str) {
            out.set(tag.equals(Tags.BINARY) ? resolved : n.text());
            return true;
        }
        if (type instanceof GoType.Bool && tag.equals(Tags.STR)) {
            // YAML 1.1 booleans are accepted when the target is a bool.
            switch (n.text()) {
                case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON" -> {
                    out.set(true);
                    return true;
                }
                case "n", "N", "no", "No", "NO", "off", "Off", "OFF" -> {
                    out.set(false);
                    return true;
                }
                default -> {
                }
            }
        }
        tagError(n, tag, type);
        return false;
    }

    private boolean fromInt(YamlNode n, Object resolved, GoType type, Slot out) {
        if (type instanceof GoType.Uint u) {
            BigInteger v = resolved instanceof Long l ? BigInteger.valueOf(l) : (BigInteger) resolved;
            if (v.signum() >= 0 && v.bitLength() <= u.bits()) {
                out.set(v);
                return true;
            }
        } else if (type instanceof GoType.Str) {
            out.set(n.text());
            return true;
        }
        tagError(n, Tags.INT, type);
        return false;
    }

    private Object decodeBinary(YamlNode n, String text) {
        byte[] bytes;
        try {
            // Go's StdEncoding ignores \r and \n but is otherwise strict: padding is required (Java's decoder
            // would accept "YQ"), nothing may follow it. Trailing bits need not be zero (not Strict()).
            String b64 = text.replace("\r", "").replace("\n", "");
            if (!STD_BASE64.matcher(b64).matches()) {
                throw new IllegalArgumentException("not padded standard base64");
            }
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new YamlSyntaxException("yaml: line " + n.line + ": !!binary value contains invalid base64 data");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new GoBytes(bytes);
        }
    }

    /** go-yaml's {@code null()}: only nillable targets (interface, slice, map) are set, nothing fails. */
    private boolean nullInto(GoType type, Slot out) {
        if (type instanceof GoType.Any || type instanceof GoType.Slice || type instanceof GoType.StringAnyMap
                || type instanceof GoType.AnyMap) {
            out.set(null);
            return true;
        }
        return false;
    }

    // ---- sequences -----------------------------------------------------------------------------------------

    private boolean sequence(YamlNode n, GoType type, Slot out) {
        GoType element;
        if (type instanceof GoType.Slice s) {
            element = s.element();
        } else if (type instanceof GoType.Any) {
            element = type;
        } else {
            tagError(n, Tags.SEQ, type);
            return false;
        }
        List<Object> list = new ArrayList<>(n.content.size());
        for (YamlNode item : n.content) {
            spend(limits.lineCost(depth), item);
            Cell cell = new Cell();
            if (element instanceof GoType.Struct st) {
                cell.value = st.newValue();
            }
            if (construct(item, element, cell)) {
                list.add(cell.value);
            }
        }
        out.set(list);
        return true;
    }

    // ---- mappings ------------------------------------------------------------------------------------------

    private boolean mapping(YamlNode n, GoType type, Slot out) {
        if (reportDuplicateKeys(n)) {
            return false;
        }
        if (type instanceof GoType.Struct s) {
            return mappingStruct(n, s, out);
        }
        boolean stringKeys;
        boolean isNew;
        Map<Object, Object> map;
        if (type instanceof GoType.StringAnyMap || type instanceof GoType.AnyMap) {
            stringKeys = type instanceof GoType.StringAnyMap;
            @SuppressWarnings("unchecked")
            Map<Object, Object> existing = (Map<Object, Object>) out.get();
            map = existing;
            isNew = map == null; // only a nil typed map counts as "new"
            if (map == null) {
                map = new LinkedHashMap<>();
                out.set(map);
            }
        } else if (type instanceof GoType.Any) {
            // An interface target gets a fresh map[string]any or map[any]any (not "new"); from here on, and for
            // a merge (<<) in particular, that concrete map is the target, so merged keys land in the same map.
            stringKeys = isStringMap(n);
            type = stringKeys ? new GoType.StringAnyMap() : new GoType.AnyMap();
            map = new LinkedHashMap<>();
            isNew = false;
            out.set(map);
        } else {
            tagError(n, Tags.MAP, type);
            return false;
        }
        Set<Object> merged = mergedFields;
        mergedFields = null;
        YamlNode mergeNode = null;
        GoType keyType = stringKeys ? new GoType.Str() : new GoType.Any();
        for (int i = 0; i < n.content.size(); i += 2) {
            YamlNode keyNode = n.content.get(i);
            spend(limits.lineCost(depth), keyNode);
            if (isMerge(keyNode)) {
                mergeNode = n.content.get(i + 1);
                continue;
            }
            Cell key = new Cell();
            if (!construct(keyNode, keyType, key)) {
                continue;
            }
            if (merged != null) {
                if (GoMapKeys.setContains(merged, key.value)) {
                    continue;
                }
                GoMapKeys.setAdd(merged, key.value);
            }
            if (key.value instanceof List || key.value instanceof Map) {
                throw new YamlSyntaxException("yaml: line " + keyNode.line + ": cannot use a collection as a map key");
            }
            YamlNode valueNode = n.content.get(i + 1);
            Cell value = new Cell();
            boolean ok = construct(valueNode, new GoType.Any(), value);
            if (ok || Tags.NULL.equals(valueNode.shortTag()) && (isNew || !GoMapKeys.contains(map, key.value))) {
                GoMapKeys.put(map, key.value, value.value);
            }
        }
        mergedFields = merged;
        if (mergeNode != null) {
            merge(n, mergeNode, type, out);
        }
        return true;
    }

    /** The most duplicate-key errors reported for one mapping (go-yaml lists every pair). */
    private static final int MAX_DUPLICATE_KEY_ERRORS = 100;

    /** A key as go-yaml's duplicate check compares it: node kind and raw text. */
    private record KeyText(YamlNode.Kind kind, ByteBuffer text) {
    }

    /**
     * go-yaml's duplicate-key check, which compares every pair of keys, in linear time: each key index i is
     * reported against every later index j with the same key, in (i, j) order as go-yaml's nested loops do.
     */
    private boolean reportDuplicateKeys(YamlNode n) {
        Map<KeyText, List<Integer>> positions = new java.util.HashMap<>();
        for (int i = 0; i < n.content.size(); i += 2) {
            YamlNode k = n.content.get(i);
            positions.computeIfAbsent(new KeyText(k.kind, ByteBuffer.wrap(k.value)), x -> new ArrayList<>()).add(i);
        }
        if (positions.size() == (n.content.size() + 1) / 2) {
            return false;
        }
        Map<KeyText, Integer> seen = new java.util.HashMap<>();
        int reported = 0;
        for (int i = 0; i < n.content.size() && reported < MAX_DUPLICATE_KEY_ERRORS; i += 2) {
            YamlNode ki = n.content.get(i);
            KeyText key = new KeyText(ki.kind, ByteBuffer.wrap(ki.value));
            List<Integer> same = positions.get(key);
            int from = seen.merge(key, 1, Integer::sum);
            for (int p = from; p < same.size() && reported < MAX_DUPLICATE_KEY_ERRORS; p++, reported++) {
                YamlNode kj = n.content.get(same.get(p));
                typeErrors.add(at(kj) + "mapping key \"" + kj.text() + "\" already defined at line " + ki.line);
            }
        }
        return true;
    }

    private boolean mappingStruct(YamlNode n, GoType.Struct s, Slot out) {
        @SuppressWarnings("unchecked")
        Map<String, Object> struct = (Map<String, Object>) out.get();
        if (struct == null) {
            struct = s.newValue();
            out.set(struct);
        }
        Set<Object> merged = mergedFields;
        mergedFields = null;
        YamlNode mergeNode = null;
        Set<String> done = new HashSet<>();
        for (int i = 0; i < n.content.size(); i += 2) {
            YamlNode keyNode = n.content.get(i);
            spend(limits.lineCost(depth), keyNode);
            if (isMerge(keyNode)) {
                mergeNode = n.content.get(i + 1);
                continue;
            }
            Cell name = new Cell();
            if (!construct(keyNode, new GoType.Str(), name)) {
                continue;
            }
            String key = Objects.toString(name.value);
            if (merged != null) {
                if (merged.contains(key)) {
                    continue;
                }
                merged.add(key);
            }
            GoType.Field field = s.field(key);
            if (field == null) {
                typeErrors.add(at(keyNode) + "field " + key + " not found in type " + s.goName());
                continue;
            }
            if (!done.add(key)) {
                typeErrors.add(at(keyNode) + "field " + key + " already set in type " + s.goName());
                continue;
            }
            final Map<String, Object> target = struct;
            construct(n.content.get(i + 1), field.type(), new Slot() {
                public Object get() {
                    Object v = target.get(key);
                    if (v == null && field.type() instanceof GoType.Struct fs) {
                        v = fs.newValue();
                        target.put(key, v);
                    }
                    return v;
                }

                public void set(Object value) {
                    target.put(key, value);
                }
            });
        }
        mergedFields = merged;
        if (mergeNode != null) {
            merge(n, mergeNode, s, out);
        }
        return true;
    }

    private void merge(YamlNode parent, YamlNode mergeNode, GoType type, Slot out) {
        Set<Object> saved = mergedFields;
        if (saved == null) {
            mergedFields = new HashSet<>();
            for (int i = 0; i < parent.content.size(); i += 2) {
                Cell k = new Cell();
                if (construct(parent.content.get(i), new GoType.Any(), k)) {
                    GoMapKeys.setAdd(mergedFields, k.value);
                }
            }
        }
        switch (mergeNode.kind) {
            case MAPPING -> construct(mergeNode, type, out);
            case ALIAS -> {
                if (mergeNode.alias != null && mergeNode.alias.kind != YamlNode.Kind.MAPPING) {
                    failWantMap(mergeNode);
                }
                construct(mergeNode, type, out);
            }
            case SEQUENCE -> {
                for (YamlNode item : mergeNode.content) {
                    if (item.kind == YamlNode.Kind.ALIAS) {
                        if (item.alias != null && item.alias.kind != YamlNode.Kind.MAPPING) {
                            failWantMap(item);
                        }
                    } else if (item.kind != YamlNode.Kind.MAPPING) {
                        failWantMap(item);
                    }
                    construct(item, type, out);
                }
            }
            default -> failWantMap(mergeNode);
        }
        mergedFields = saved;
    }

    private static void failWantMap(YamlNode n) {
        throw new YamlSyntaxException("yaml: line " + n.line + ": map merge requires map or sequence of maps as the value");
    }

    private static boolean isMerge(YamlNode n) {
        return n.kind == YamlNode.Kind.SCALAR && Tags.MERGE.equals(resolvedTag(n));
    }

    /** The node's tag after go-yaml's resolution pass (plain scalars get their implicit tag). */
    private static String resolvedTag(YamlNode n) {
        if (n.kind == YamlNode.Kind.SCALAR && n.tag.isEmpty() && !n.isQuotedStyle()) {
            return GoResolver.resolve("", n.text()).tag();
        }
        return n.shortTag();
    }

    private static boolean isStringMap(YamlNode n) {
        for (int i = 0; i < n.content.size(); i += 2) {
            YamlNode k = n.content.get(i);
            YamlNode target = k.kind == YamlNode.Kind.ALIAS && k.alias != null ? k.alias : k;
            String t = resolvedTag(target);
            if (!t.equals(Tags.STR) && !t.equals(Tags.MERGE)) {
                return false;
            }
        }
        return true;
    }

    // ---- errors --------------------------------------------------------------------------------------------

    private void tagError(YamlNode n, String tag, GoType type) {
        if (!n.tag.isEmpty()) {
            tag = n.tag;
        }
        String value = "";
        if (!tag.equals(Tags.SEQ) && !tag.equals(Tags.MAP) && n.kind == YamlNode.Kind.SCALAR) {
            String text = n.text();
            value = text.length() > 10 ? " `" + text.substring(0, 7) + "...`" : " `" + text + "`";
        }
        if (n.kind == YamlNode.Kind.MAPPING) {
            tag = n.tag.isEmpty() ? Tags.MAP : n.tag;
        } else if (n.kind == YamlNode.Kind.SEQUENCE) {
            tag = n.tag.isEmpty() ? Tags.SEQ : n.tag;
        }
        typeErrors.add(at(n) + "cannot construct " + tag + value + " into " + type.goName());
    }

    private static String at(YamlNode n) {
        return "line " + n.line + ": ";
    }
}
