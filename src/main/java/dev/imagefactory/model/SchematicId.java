package dev.imagefactory.model;

import dev.imagefactory.errors.InvalidInputException;
import java.util.Optional;
import java.util.regex.Pattern;

/** A schematic ID: the lowercase hex SHA-256 of the canonical YAML. Validated once, at the edge. */
public record SchematicId(String value) {
    private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{64}");

    public SchematicId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new InvalidInputException("invalid schematic ID " + quote(value) + ": expected 64 lowercase hex characters");
        }
    }

    public static SchematicId parse(String value) {
        return new SchematicId(value);
    }

    /**
     * The ID, when {@code value} is one. The reference does not check IDs at its edge: a text that is no ID is looked
     * up like any other and not found, so callers answer 404 for it as for an unknown ID.
     */
    public static Optional<SchematicId> tryParse(String value) {
        return value != null && FORMAT.matcher(value).matches() ? Optional.of(new SchematicId(value)) : Optional.empty();
    }

    /** Client text quoted for a one-line message: control and non-ASCII characters become '?', long text is cut. */
    public static String quote(String v) {
        if (v == null) {
            return "\"\"";
        }
        String shown = v.length() > 80 ? v.substring(0, 80) + "..." : v;
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }

    @Override
    public String toString() {
        return value;
    }
}
