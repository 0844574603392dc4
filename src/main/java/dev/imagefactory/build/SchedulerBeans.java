package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.config.FactoryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** The build scheduler over the configured cache, with the configured limits; closed with the application. */
public class SchedulerBeans {

    @Produces
    @ApplicationScoped
    @Startup
    ArtifactBuilds artifactBuilds(ArtifactCache cache, FactoryConfig config, MeterRegistry registry) {
        return new ArtifactBuilds(cache, registry, config.build().maxConcurrency(), config.build().timeout(),
                config.build().maxWaiting());
    }

    void close(@Disposes ArtifactBuilds builds) {
        builds.close();
    }
}
