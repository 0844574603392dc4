package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which of a release source's versions are offered (image-factory {@code fetchTalosVersions}, talos-imager.md §8.4):
 * at least the minimum, not broken, and a pre-release only when it is {@code alpha|beta|rc.N} of the newest
 * major.minor present.
 *
 * <p>One addition: a version whose first pre-release identifier starts with the local-build marker (default
 * {@code debian}, e.g. {@code v1.11.0-debian.1}) is kept whatever its minor. Stand-in releases assembled locally from
 * Debian packages carry that marker so nobody mistakes them for a Sidero Labs build, and they would otherwise be
 * hidden as "foreign" pre-releases. Minimum and broken list still apply to them.
 */
public final class VersionFilter {

    private static final Set<String> UPSTREAM_PRE_RELEASES = Set.of("alpha", "beta", "rc");

    private final TalosVersion minimum;
    private final List<TalosVersion> broken;
    private final String localBuildMarker;

    public VersionFilter(TalosVersion minimum, List<TalosVersion> broken, String localBuildMarker) {
        this.minimum = minimum;
        this.broken = List.copyOf(broken);
        this.localBuildMarker = localBuildMarker;
    }

    /** Reads the {@code factory.releases.*} settings; a malformed version there is a startup error. */
    public static VersionFilter from(FactoryConfig.Releases config) {
        return from(config.minVersion(), config.brokenVersions(), config.localBuildMarker());
    }

    static VersionFilter from(String minVersion, Optional<List<String>> brokenVersions, String localBuildMarker) {
        TalosVersion minimum = configVersion("factory.releases.min-version", minVersion);
        List<TalosVersion> broken = brokenVersions.orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> configVersion("factory.releases.broken-versions", s))
                .toList();
        return new VersionFilter(minimum, broken, localBuildMarker);
    }

    /** The offered versions among {@code candidates}, ascending. */
    public List<TalosVersion> apply(Collection<TalosVersion> candidates) {
        // like upstream, "newest" is taken over every candidate, even those filtered out below
        TalosVersion newest = candidates.stream().max(TalosVersion::compareTo).orElse(null);
        return candidates.stream()
                .distinct()
                .filter(v -> !v.isBefore(minimum))
                .filter(v -> !broken.contains(v))
                .filter(v -> !v.isPreRelease() || isLocalBuild(v) || isUpstreamPreReleaseOfNewestMinor(v, newest))
                .sorted()
                .toList();
    }

    /**
     * Whether {@code version} counts as stable for {@code latest} (upstream: not a pre-release). Local stand-in builds
     * ({@code v1.11.0-debian.1}) are the releases of a factory that has no others, so they count as stable too.
     */
    public boolean isStable(TalosVersion version) {
        return !version.isPreRelease() || isLocalBuild(version);
    }

    /** The configured broken versions, in configuration order (what {@code /versions?broken=true} returns). */
    public List<TalosVersion> broken() {
        return broken;
    }

    private boolean isLocalBuild(TalosVersion v) {
        return !localBuildMarker.isEmpty() && v.preRelease().get(0).startsWith(localBuildMarker);
    }

    private static boolean isUpstreamPreReleaseOfNewestMinor(TalosVersion v, TalosVersion newest) {
        List<String> pre = v.preRelease();
        return v.sameMinorAs(newest)
                && pre.size() == 2
                && UPSTREAM_PRE_RELEASES.contains(pre.get(0))
                && TalosVersion.isNumeric(pre.get(1));
    }

    private static TalosVersion configVersion(String key, String value) {
        try {
            return TalosVersion.parse(value);
        } catch (InvalidInputException e) {
            throw new IllegalStateException(key + ": " + e.getMessage(), e);
        }
    }
}
