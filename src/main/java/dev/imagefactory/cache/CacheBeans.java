package dev.imagefactory.cache;

import dev.imagefactory.cache.s3.S3ArtifactCache;
import dev.imagefactory.cache.s3.S3Bucket;
import dev.imagefactory.cache.s3.S3BuildLeases;
import dev.imagefactory.cache.s3.S3Settings;
import dev.imagefactory.cache.s3.S3Storage;
import dev.imagefactory.config.FactoryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * CDI wiring of storage ({@code factory.cache.backend}):
 * <ul>
 * <li>{@code filesystem} (default): {@link FileArtifactCache} below {@code <factory.data-dir>/cache}.</li>
 * <li>{@code s3}: {@link S3ArtifactCache} on the bucket, with the same local cache for
 * intermediates. The bucket is checked (created if missing) at start-up: wrong credentials or a bucket that cannot
 * be created stop the start with a message, never a silent fallback to local storage.</li>
 * </ul>
 * Everything is created at startup, so a bad {@code factory.cache.*} or {@code factory.build.*} value stops the start
 * with a message, crash leftovers are cleaned and the size metric is there from the start.
 */
public class CacheBeans {

    private static final Logger LOG = Logger.getLogger(CacheBeans.class);

    @Produces
    @Singleton
    @Startup
    SharedStorage sharedStorage(FactoryConfig config) {
        if (config.cache().backend() != FactoryConfig.Cache.Backend.S3) {
            UnusedS3Settings.refuse(config.cache());
            return new SharedStorage(null);
        }
        S3Settings settings = S3Settings.of(config.cache().s3());
        S3Bucket bucket = new S3Bucket(settings);
        bucket.ensureUsable();
        LOG.infof("storage: S3 bucket %s at %s (redirects %s)", settings.bucket(), settings.endpoint(),
                settings.redirect() ? "on" : "off");
        S3BuildLeases leases = new S3BuildLeases(bucket, settings.leaseTtl(), S3BuildLeases.newReplicaName());
        return new SharedStorage(new S3Storage(settings, bucket, leases));
    }

    @Produces
    @ApplicationScoped
    @Startup
    ArtifactCache artifactCache(FactoryConfig config, MeterRegistry registry, SharedStorage shared) {
        FileArtifactCache local = new FileArtifactCache(config.dataDir().resolve("cache"),
                config.cache().maxSize().asLongValue(), registry);
        CacheVolume.warnIfBoundExceedsSpace(local.root(), local.maxBytes(), local.sizeBytes());
        return shared.s3().<ArtifactCache>map(s3 -> new S3ArtifactCache(s3.bucket(), local, s3.leases()))
                .orElse(local);
    }

    void close(@Disposes SharedStorage shared) {
        shared.s3().ifPresent(s3 -> s3.leases().close());
    }
}
