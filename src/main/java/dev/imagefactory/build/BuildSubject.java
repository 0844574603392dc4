package dev.imagefactory.build;

/**
 * What a tracked build makes, as the client named it: the schematic ID, the Talos version tag and the asset path
 * ({@code null} for intermediates, which the step kind names instead). Never key material.
 */
public record BuildSubject(String schematic, String version, String path) {

    /** The same schematic and version, for a product needed on the way (no path of its own). */
    BuildSubject intermediate() {
        return new BuildSubject(schematic, version, null);
    }
}
