package dev.imagefactory.build.initramfs;

import dev.imagefactory.model.TalosVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An extension's Talos compatibility constraint (talos-imager.md §1.5): a blang/semver range such as
 * {@code >= v1.5.0}, {@code >=1.5.0 <2.0.0} or {@code <1.6.0 || >=1.7.0}, after removing every {@code v} that
 * directly precedes a digit. It is tested against the target's major.minor.patch, so a pre-release counts as its
 * release. An empty constraint allows everything.
 */
public final class VersionConstraint {

    private record Comparison(String operator, TalosVersion version) {
        boolean test(TalosVersion v) {
            int c = v.compareTo(version);
            return switch (operator) {
                case ">=" -> c >= 0;
                case ">" -> c > 0;
                case "<=" -> c <= 0;
                case "<" -> c < 0;
                case "!=", "!" -> c != 0;
                default -> c == 0;
            };
        }
    }

    private static final Pattern V_BEFORE_DIGIT = Pattern.compile("v(?=[0-9])");
    private static final Pattern TERM = Pattern.compile("(>=|<=|!=|==|=|>|<|!)?\\s*([0-9][0-9A-Za-z.+-]*)");

    private final String text;
    private final List<List<Comparison>> alternatives;

    private VersionConstraint(String text, List<List<Comparison>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /** Parses a constraint; empty when it is malformed. */
    public static Optional<VersionConstraint> parse(String text) {
        String cleaned = V_BEFORE_DIGIT.matcher(text).replaceAll("").trim();
        if (cleaned.isEmpty()) {
            return Optional.of(new VersionConstraint(text, List.of()));
        }
        List<List<Comparison>> alternatives = new ArrayList<>();
        for (String alternative : cleaned.split("\\|\\|")) {
            List<Comparison> all = new ArrayList<>();
            String rest = alternative.trim();
            Matcher m = TERM.matcher(rest);
            int at = 0;
            while (at < rest.length()) {
                if (!m.find(at) || m.start() != at) {
                    return Optional.empty();
                }
                Optional<TalosVersion> version = TalosVersion.tryParse(m.group(2));
                if (version.isEmpty()) {
                    return Optional.empty();
                }
                all.add(new Comparison(m.group(1) == null ? "=" : m.group(1), version.get()));
                at = m.end();
                while (at < rest.length() && Character.isWhitespace(rest.charAt(at))) {
                    at++;
                }
            }
            if (all.isEmpty()) {
                return Optional.empty();
            }
            alternatives.add(all);
        }
        return Optional.of(new VersionConstraint(text, alternatives));
    }

    public boolean allows(TalosVersion version) {
        TalosVersion release = version.release();
        return alternatives.isEmpty()
                || alternatives.stream().anyMatch(all -> all.stream().allMatch(c -> c.test(release)));
    }

    @Override
    public String toString() {
        return text;
    }
}
