package dev.imagefactory.catalog;

import dev.imagefactory.config.FactoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Chooses the release source; the directory source is the only one until the OCI registry source exists. */
@ApplicationScoped
public class ReleaseSourceProducer {

    @Produces
    @ApplicationScoped
    ReleaseSource releaseSource(FactoryConfig config) {
        return new DirectoryReleaseSource(config.releases().dir());
    }
}
