package dev.imagefactory.schematic;

import dev.imagefactory.cache.SharedStorage;
import dev.imagefactory.config.FactoryConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Where schematics are kept ({@code factory.cache.backend}): {@link FileSchematicStore} below
 * {@code <factory.data-dir>/schematics}, or with {@code s3} {@link S3SchematicStore} in the shared bucket, so every
 * replica knows every schematic.
 */
public class SchematicStores {

    @Produces
    @ApplicationScoped
    @Startup
    SchematicStore schematicStore(FactoryConfig config, SharedStorage shared) {
        return shared.s3().<SchematicStore>map(s3 -> new S3SchematicStore(s3.bucket()))
                .orElseGet(() -> new FileSchematicStore(config.dataDir().resolve("schematics")));
    }
}
