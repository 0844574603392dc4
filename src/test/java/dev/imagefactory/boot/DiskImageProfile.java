package dev.imagefactory.boot;

import java.util.HashMap;
import java.util.Map;

/**
 * The stand-in release's test profile with room in the cache for several multi-GiB disk images (sparse on disk, but
 * the cache counts their apparent sizes). Shared by the disk image test classes, so Quarkus starts once for them.
 */
public class DiskImageProfile extends BootAssetsTest.StandinProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("factory.cache.max-size", "400G");
        return config;
    }
}
