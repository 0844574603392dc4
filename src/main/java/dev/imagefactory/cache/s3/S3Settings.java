package dev.imagefactory.cache.s3;

import dev.imagefactory.config.FactoryConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The checked {@code factory.cache.s3.*} settings: start-up stops with the name of a missing or bad one. */
public record S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey,
        boolean pathStyle, boolean redirect, Duration redirectTtl, Duration leaseTtl, Duration timeout,
        Duration streamIdleTimeout) {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** With the default timeouts. */
    public S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey,
            boolean pathStyle, boolean redirect, Duration redirectTtl, Duration leaseTtl) {
        this(endpoint, region, bucket, accessKey, secretKey, pathStyle, redirect, redirectTtl, leaseTtl,
                DEFAULT_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT);
    }

    public S3Settings {
        if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw new IllegalArgumentException("factory.cache.s3.endpoint must be an http:// or https:// URL, got "
                    + endpoint);
        }
        URI.create(endpoint);
        if (redirectTtl.isNegative() || redirectTtl.isZero() || redirectTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("factory.cache.s3.redirect-ttl must be between 1s and 7d (the S3 limit "
                    + "for presigned URLs), got " + redirectTtl);
        }
        if (leaseTtl.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("factory.cache.s3.lease-ttl must be at least 3s, got " + leaseTtl);
        }
        if (timeout.toMillis() < 100) {
            throw new IllegalArgumentException("factory.cache.s3.timeout must be at least 100ms, got " + timeout);
        }
        if (streamIdleTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("factory.cache.s3.stream-idle-timeout must be at least 100ms, got "
                    + streamIdleTimeout);
        }
    }

    public static S3Settings of(FactoryConfig.Cache.S3 s3) {
        return new S3Settings(required(s3.endpoint(), "endpoint"), s3.region(), required(s3.bucket(), "bucket"),
                required(s3.accessKey(), "access-key"), required(s3.secretKey(), "secret-key"), s3.pathStyle(),
                s3.redirect(), s3.redirectTtl(), s3.leaseTtl(), s3.timeout(), s3.streamIdleTimeout());
    }

    private static String required(Optional<String> value, String name) {
        return value.filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "factory.cache.backend=s3 needs factory.cache.s3." + name + " (environment FACTORY_CACHE_S3_"
                        + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + ")"));
    }

    @Override
    public String toString() {
        // never the secret key
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", pathStyle="
                + pathStyle + ", redirect=" + redirect + ", timeout=" + timeout + ", streamIdleTimeout="
                + streamIdleTimeout + "]";
    }
}
