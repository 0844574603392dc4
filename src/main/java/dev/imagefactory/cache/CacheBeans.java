package dev.imagefactory.cache;

import dev.imagefactory.config.FactoryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/**
 * CDI wiring: the embedded {@link FileArtifactCache} below {@code <factory.data-dir>/cache} (opened at startup, so
 * crash leftovers are cleaned and the size metric is there from the start) and the {@link ArtifactBuilds} on top
 * (also created at startup, so a bad {@code factory.build.*} value stops the start with a message).
 */
public class CacheBeans {

    @Produces
    @ApplicationScoped
    @Startup
    ArtifactCache artifactCache(FactoryConfig config, MeterRegistry registry) {
        return new FileArtifactCache(config.dataDir().resolve("cache"), config.cache().maxSize().asLongValue(), registry);
    }

    @Produces
    @ApplicationScoped
    @Startup
    ArtifactBuilds artifactBuilds(ArtifactCache cache, FactoryConfig config, MeterRegistry registry) {
        return new ArtifactBuilds(cache, registry, config.build().maxConcurrency(), config.build().timeout());
    }

    void close(@Disposes ArtifactBuilds builds) {
        builds.close();
    }
}
