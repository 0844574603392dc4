package dev.imagefactory.build;

import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.schematic.CanonicalSchematic;
import java.util.List;

/**
 * Everything a build step needs: the profile parsed from the URL and the schematic it customises. {@code versionTag}
 * is the version as the client wrote it with a leading {@code v} ensured (used in links, like upstream).
 * {@code extensions} are the schematic's official extensions resolved for the version (aliases applied), once per
 * request; empty for outputs that carry none (kernel, cmdline).
 */
public record BuildRequest(Profile profile, CanonicalSchematic schematic, String versionTag,
        List<OfficialExtension> extensions) {

    public BuildRequest {
        extensions = List.copyOf(extensions);
    }

    /** The same request for another profile (e.g. the initramfs a UKI or ISO embeds). */
    public BuildRequest withProfile(Profile other) {
        return new BuildRequest(other, schematic, versionTag, extensions);
    }

    public Quirks quirks() {
        return profile.quirks();
    }
}
