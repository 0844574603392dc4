package dev.imagefactory.build;

import dev.imagefactory.catalog.TalosVersion;

/** TEMPORARY stub until the full quirk table lands (replaced at merge). */
public final class Quirks {
    private final TalosVersion v;

    public Quirks(TalosVersion version) {
        this.v = version.release();
    }

    public static Quirks of(TalosVersion version) {
        return new Quirks(version);
    }

    private boolean atLeast(int major, int minor, int patch) {
        return !v.isBefore(TalosVersion.of(major, minor, patch));
    }

    public boolean supportsOverlay() {
        return atLeast(1, 7, 0);
    }

    public boolean useZstdCompression() {
        return atLeast(1, 8, 0);
    }

    public boolean supportsEmbeddedConfig() {
        return atLeast(1, 12, 0);
    }

    public String kernelModulesPath() {
        return atLeast(1, 10, 0) ? "/usr/lib/modules" : "/lib/modules";
    }

    public String firmwarePath() {
        return atLeast(1, 10, 0) ? "/usr/lib/firmware" : "/lib/firmware";
    }
}
