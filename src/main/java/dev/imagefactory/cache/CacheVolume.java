package dev.imagefactory.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Start-up check of {@code factory.cache.max-size} against the volume holding the cache: a bound the disk cannot
 * hold is never reached, so eviction never runs and the disk fills up instead.
 */
final class CacheVolume {

    private static final Logger LOG = Logger.getLogger(CacheVolume.class);

    private CacheVolume() {
    }

    /**
     * Warns when the bound exceeds what the cache can grow to: the bytes it holds plus the free space of its volume.
     *
     * @return whether the warning was given
     */
    static boolean warnIfBoundExceedsSpace(Path root, long maxBytes, long cachedBytes) {
        long usable;
        try {
            usable = Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            LOG.debugf(e, "cannot tell the free space below %s", root);
            return false;
        }
        long reachable = cachedBytes + usable;
        if (maxBytes <= reachable) {
            return false;
        }
        LOG.warnf("factory.cache.max-size (%s) is larger than the cache can grow on its volume (%s: %s cached + %s "
                + "free at %s): the bound is kept, so the disk fills up before anything is evicted, and builds are then "
                + "answered 503 (local storage is full) until space is freed; set factory.cache.max-size below %s",
                human(maxBytes), human(reachable), human(cachedBytes), human(usable), root, human(reachable));
        return true;
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
