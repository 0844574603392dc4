package dev.imagefactory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TalosVersionTest {

    @Test
    void parsesWithOrWithoutLeadingV() {
        TalosVersion withV = TalosVersion.parse("v1.11.0");
        TalosVersion withoutV = TalosVersion.parse("1.11.0");
        assertEquals(withV, withoutV);
        assertEquals("v1.11.0", withoutV.toString());
        assertEquals("1.11.0", withV.semver());
        assertEquals(List.of(1, 11, 0), List.of(withV.major(), withV.minor(), withV.patch()));
    }

    @Test
    void keepsPreReleaseIdentifiers() {
        TalosVersion v = TalosVersion.parse("v1.12.0-alpha.1");
        assertEquals(List.of("alpha", "1"), v.preRelease());
        assertTrue(v.isPreRelease());
        assertEquals("v1.12.0-alpha.1", v.toString());
        assertEquals(TalosVersion.of(1, 12, 0), v.release());
        assertEquals("v1.11.0-debian.1", TalosVersion.parse("1.11.0-debian.1").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v", "latest", "1.11", "v1", "1.11.0.1", "01.11.0", "1.011.0", "1.11.0-", "1.11.0-alpha..1",
        "1.11.0-alpha.01", "1.11.0+build.1", "vv1.11.0", "V1.11.0", " 1.11.0", "1.11.0 ", "1.11.0/../x",
        "9999999999.0.0", "1.11.0-al_pha"})
    void refusesGarbage(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TalosVersion.parse(text));
        assertTrue(e.getMessage().startsWith("invalid Talos version \""), e.getMessage());
        assertTrue(TalosVersion.tryParse(text).isEmpty());
    }

    @Test
    void refusesOverlongInputWithoutEchoingAllOfIt() {
        String longText = "1.11.0-" + "a".repeat(500);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TalosVersion.parse(longText));
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertEquals("invalid Talos version (none)",
                assertThrows(InvalidInputException.class, () -> TalosVersion.parse(null)).getMessage());
    }

    @Test
    void ordersBySemverPrecedence() {
        // the semver.org §11 example chain, plus numeric parts that compare as numbers, not text
        List<String> ascending = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.9.0", "1.10.0",
                "1.11.0-debian.1", "1.11.0", "1.12.0-alpha.1", "1.12.0-alpha.10", "1.12.0-beta.0", "1.12.0", "2.0.0");
        List<TalosVersion> shuffled = new ArrayList<>(ascending.stream().map(TalosVersion::parse).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertEquals(ascending.stream().map(s -> "v" + s).toList(), shuffled.stream().map(TalosVersion::toString).toList());
    }

    @Test
    void comparesHugeNumericIdentifiersWithoutOverflow() {
        TalosVersion small = TalosVersion.parse("1.0.0-rc.99999999999999999998");
        TalosVersion big = TalosVersion.parse("1.0.0-rc.99999999999999999999");
        assertTrue(small.isBefore(big));
        assertFalse(big.isBefore(small));
    }

    @Test
    void equalityFollowsOrdering() {
        assertEquals(TalosVersion.parse("1.11.0").hashCode(), TalosVersion.parse("v1.11.0").hashCode());
        assertFalse(TalosVersion.parse("1.11.0").equals(TalosVersion.parse("1.11.0-rc.0")));
        assertTrue(TalosVersion.parse("v1.11.3").sameMinorAs(TalosVersion.parse("1.11.0-beta.1")));
        assertFalse(TalosVersion.parse("v1.11.3").sameMinorAs(TalosVersion.parse("2.11.3")));
    }
}
