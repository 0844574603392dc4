package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionFilterTest {

    private static final VersionFilter DEFAULTS = new VersionFilter(TalosVersion.of(1, 2, 0), List.of(), "debian");

    @Test
    void stableMeansNoPreReleaseExceptLocalBuilds() {
        assertTrue(DEFAULTS.isStable(TalosVersion.parse("v1.11.0")));
        assertTrue(DEFAULTS.isStable(TalosVersion.parse("v1.11.0-debian.1")));
        assertFalse(DEFAULTS.isStable(TalosVersion.parse("v1.12.0-rc.1")));
        assertFalse(DEFAULTS.isStable(TalosVersion.parse("v1.12.0-alpha.0")));
    }

    @Test
    void keepsReleasesFromTheMinimumAscending() {
        assertEquals(List.of("v1.2.0", "v1.9.0", "v1.10.0"),
                apply(DEFAULTS, "v1.10.0", "v1.1.9", "v1.2.0", "v1.9.0", "v1.2.0-rc.1"));
    }

    @Test
    void keepsOnlyAlphaBetaRcPreReleasesOfTheNewestMinor() {
        assertEquals(List.of("v1.11.0", "v1.12.0-alpha.0", "v1.12.0-beta.1", "v1.12.0-rc.2", "v1.12.1-rc.0"),
                apply(DEFAULTS, "v1.11.0", "v1.11.1-rc.0", "v1.12.0-alpha.0", "v1.12.0-beta.1", "v1.12.0-rc.2",
                        "v1.12.0-rc.1.1", "v1.12.0-gamma.1", "v1.12.0-alpha", "v1.12.0-alpha.x", "v1.12.1-rc.0"));
    }

    @Test
    void newestMinorIsTakenFromAllCandidatesLikeUpstream() {
        // v1.13.0 is below nothing but broken: it still makes 1.12 pre-releases "old"
        VersionFilter filter = new VersionFilter(TalosVersion.of(1, 2, 0), List.of(TalosVersion.of(1, 13, 0)), "debian");
        assertEquals(List.of("v1.12.0"), apply(filter, "v1.12.0", "v1.12.1-alpha.0", "v1.13.0"));
    }

    @Test
    void keepsLocalBuildsOfAnyMinorButStillAppliesMinimumAndBroken() {
        VersionFilter filter = new VersionFilter(TalosVersion.of(1, 2, 0),
                List.of(TalosVersion.parse("v1.10.0-debian.1")), "debian");
        assertEquals(List.of("v1.11.0-debian.1", "v1.11.0-debian2", "v1.11.0", "v1.12.0"),
                apply(filter, "v1.1.0-debian.1", "v1.10.0-debian.1", "v1.11.0-debian.1", "v1.11.0-debian2",
                        "v1.11.0", "v1.11.0-ubuntu.1", "v1.12.0", "v1.11.0-1.debian"));
    }

    @Test
    void markerIsConfigurable() {
        VersionFilter filter = new VersionFilter(TalosVersion.of(1, 2, 0), List.of(), "local");
        assertEquals(List.of("v1.11.0-local.3", "v1.12.0"), apply(filter, "v1.11.0-local.3", "v1.11.0-debian.1", "v1.12.0"));
    }

    @Test
    void removesBrokenVersionsAndDuplicates() {
        VersionFilter filter = new VersionFilter(TalosVersion.of(1, 2, 0), List.of(TalosVersion.of(1, 9, 0)), "debian");
        assertEquals(List.of("v1.8.0"), apply(filter, "v1.9.0", "v1.8.0", "1.8.0"));
        assertEquals(List.of(TalosVersion.of(1, 9, 0)), filter.broken());
    }

    @Test
    void readsConfiguration() {
        VersionFilter filter = VersionFilter.from("1.5.0", Optional.of(List.of("v1.6.0", " 1.7.0 ", "")), "lab");
        assertEquals(List.of("v1.6.0", "v1.7.0"), filter.broken().stream().map(TalosVersion::toString).toList());
        assertEquals(List.of("v1.5.0", "v1.8.0-lab.1"), apply(filter, "v1.4.0", "v1.5.0", "v1.6.0", "v1.8.0-lab.1"));
    }

    @Test
    void malformedConfigurationNamesTheKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VersionFilter.from("one.two", Optional.empty(), "debian"));
        assertTrue(e.getMessage().startsWith("factory.releases.min-version: invalid Talos version"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> VersionFilter.from("1.2.0", Optional.of(List.of("v1.9")), "debian"));
        assertTrue(e.getMessage().startsWith("factory.releases.broken-versions:"), e.getMessage());
    }

    private static List<String> apply(VersionFilter filter, String... versions) {
        return filter.apply(List.of(versions).stream().map(TalosVersion::parse).toList()).stream()
                .map(TalosVersion::toString).toList();
    }
}
