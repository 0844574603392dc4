package dev.imagefactory.model;

import dev.imagefactory.errors.InvalidInputException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Talos release version: semantic version 2.0 with an optional leading {@code v} ({@code v1.11.0},
 * {@code 1.12.0-alpha.1}). Build metadata ({@code +...}) is refused: it cannot appear in an image tag, and without
 * it equality and ordering agree. Shorthands such as {@code v1.11} are refused too, like upstream's meta endpoints.
 */
public final class TalosVersion implements Comparable<TalosVersion> {

    private static final int MAX_LENGTH = 128;
    private static final String NUMBER = "(0|[1-9][0-9]{0,8})"; // fits an int
    private static final String IDENTIFIER = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final Pattern SEMVER = Pattern.compile(
            "v?" + NUMBER + "\\." + NUMBER + "\\." + NUMBER + "(?:-(" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*))?");

    private final int major;
    private final int minor;
    private final int patch;
    private final List<String> preRelease;

    private TalosVersion(int major, int minor, int patch, List<String> preRelease) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
        this.preRelease = List.copyOf(preRelease);
    }

    public static TalosVersion of(int major, int minor, int patch) {
        return new TalosVersion(major, minor, patch, List.of());
    }

    /** Parses a version from a client or a configuration; anything else is the caller's mistake (400). */
    public static TalosVersion parse(String text) {
        return tryParse(text).orElseThrow(() -> new InvalidInputException("invalid Talos version " + quoted(text)));
    }

    /** Parses a version found in data (directory names, tags) where non-versions are simply skipped. */
    public static Optional<TalosVersion> tryParse(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        return Optional.of(new TalosVersion(
                Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), pre));
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    public int patch() {
        return patch;
    }

    /** Dot-separated pre-release identifiers, e.g. {@code [alpha, 1]}; empty for a release. */
    public List<String> preRelease() {
        return preRelease;
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    /** The release this version leads to: {@code v1.12.0-alpha.1} → {@code v1.12.0} (how Talos quirks see it). */
    public TalosVersion release() {
        return isPreRelease() ? of(major, minor, patch) : this;
    }

    public boolean sameMinorAs(TalosVersion other) {
        return major == other.major && minor == other.minor;
    }

    public boolean isBefore(TalosVersion other) {
        return compareTo(other) < 0;
    }

    /** Without the {@code v}, as upstream prints versions in messages ({@code version 1.9.0 is not available}). */
    public String semver() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + String.join(".", preRelease));
    }

    /** The tag form used in URLs, image tags and JSON: {@code v1.11.0}. */
    @Override
    public String toString() {
        return "v" + semver();
    }

    /** Semver precedence: numbers numerically, a pre-release below its release, identifiers left to right. */
    @Override
    public int compareTo(TalosVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, other.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || other.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), other.preRelease.size()); i++) {
            c = compareIdentifiers(preRelease.get(i), other.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), other.preRelease.size());
    }

    private static int compareIdentifiers(String a, String b) {
        boolean numericA = isNumeric(a);
        boolean numericB = isNumeric(b);
        if (numericA && numericB) {
            // no leading zeros, so the longer number is the larger one; avoids overflow on long identifiers
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (numericA != numericB) {
            return numericA ? -1 : 1;
        }
        return a.compareTo(b);
    }

    public static boolean isNumeric(String identifier) {
        return !identifier.isEmpty() && identifier.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TalosVersion v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * major + minor) + patch) + preRelease.hashCode();
    }

    private static String quoted(String text) {
        if (text == null) {
            return "(none)";
        }
        String shown = text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
        return "\"" + shown + "\"";
    }
}
