package dev.imagefactory.build;

import dev.imagefactory.schematic.CanonicalSchematic;

/**
 * Everything a build step needs: the profile parsed from the URL and the schematic it customises. {@code versionTag}
 * is the version as the client wrote it with a leading {@code v} ensured (used in links, like upstream).
 */
public record BuildRequest(Profile profile, CanonicalSchematic schematic, String versionTag) {

    public Quirks quirks() {
        return profile.quirks();
    }
}
