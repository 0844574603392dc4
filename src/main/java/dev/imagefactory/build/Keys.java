package dev.imagefactory.build;

import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import java.util.ArrayList;
import java.util.List;

/** Cache keys and metric labels of output builds: the profile's parts, the step version, then the inputs. */
final class Keys {

    private Keys() {
    }

    static CacheKey of(Profile profile, String stepVersion, String... inputs) {
        List<String> parts = new ArrayList<>(profile.cacheParts());
        parts.add("step=" + stepVersion);
        parts.addAll(List.of(inputs));
        return CacheKey.of(parts.toArray(String[]::new));
    }

    static BuildLabels labels(Profile profile) {
        return new BuildLabels(profile.kind().talosName(), profile.version().toString(), profile.arch().goName());
    }
}
