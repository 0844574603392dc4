package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import java.util.Optional;

/**
 * The Talos versions a catalog file describes: {@code from} inclusive, {@code until} exclusive and optional, by semver
 * precedence, so {@code from: v1.12.0} does not cover {@code v1.12.0-alpha.1}.
 */
public record VersionRange(TalosVersion from, Optional<TalosVersion> until) {

    public VersionRange {
        if (until.isPresent() && !from.isBefore(until.get())) {
            throw new IllegalArgumentException("empty range: \"until\" " + until.get() + " is not after \"from\" " + from);
        }
    }

    public boolean contains(TalosVersion version) {
        return !version.isBefore(from) && until.map(version::isBefore).orElse(true);
    }

    public boolean overlaps(VersionRange other) {
        return startsBeforeEndOf(other) && other.startsBeforeEndOf(this);
    }

    private boolean startsBeforeEndOf(VersionRange other) {
        return other.until.map(from::isBefore).orElse(true);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + until.map(TalosVersion::toString).orElse("…") + ")";
    }
}
