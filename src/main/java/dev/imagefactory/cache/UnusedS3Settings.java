package dev.imagefactory.cache;

import dev.imagefactory.config.FactoryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * S3 settings given while {@code factory.cache.backend} is not {@code s3} would be ignored, and the service would
 * run on local disk while its operator believes it shares a bucket; the start is refused instead, naming the setting
 * to change (there is no silent fallback to local storage).
 */
final class UnusedS3Settings {

    private UnusedS3Settings() {
    }

    /** @throws IllegalStateException when any {@code factory.cache.s3.*} setting without a default is set */
    static void refuse(FactoryConfig.Cache cache) {
        if (cache.backend() == FactoryConfig.Cache.Backend.S3) {
            return;
        }
        FactoryConfig.Cache.S3 s3 = cache.s3();
        List<String> given = new ArrayList<>();
        add(given, "endpoint", s3.endpoint());
        add(given, "bucket", s3.bucket());
        add(given, "access-key", s3.accessKey());
        add(given, "secret-key", s3.secretKey());
        if (!given.isEmpty()) {
            throw new IllegalStateException("factory.cache.s3." + String.join(", factory.cache.s3.", given)
                    + " set, but factory.cache.backend is " + cache.backend().name().toLowerCase(java.util.Locale.ROOT)
                    + ": set factory.cache.backend=s3 (FACTORY_CACHE_BACKEND=s3) to keep artifacts and schematics in"
                    + " the bucket, or remove the factory.cache.s3.* settings (FACTORY_CACHE_S3_*) to use local disk");
        }
    }

    private static void add(List<String> given, String name, Optional<String> value) {
        if (value.filter(v -> !v.isBlank()).isPresent()) {
            given.add(name);
        }
    }
}
