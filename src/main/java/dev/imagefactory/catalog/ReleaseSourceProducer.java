package dev.imagefactory.catalog;

import dev.imagefactory.config.FactoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Chooses the release source; the directory source is the only one until the OCI registry source exists. */
@ApplicationScoped
public class ReleaseSourceProducer {

    /** Below the data dir: pulled and flattened release content, reused across restarts. */
    static final String CACHE_DIR = "release-cache";

    @Produces
    @ApplicationScoped
    ReleaseSource releaseSource(FactoryConfig config) {
        ReleaseCache cache = new ReleaseCache(config.dataDir().resolve(CACHE_DIR));
        return new DirectoryReleaseSource(config.releases().dir(), cache);
    }
}
