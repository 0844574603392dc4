package dev.imagefactory.cache.s3;

/** The bucket of {@code factory.cache.backend=s3} with its settings and this replica's build leases. */
public record S3Storage(S3Settings settings, S3Bucket bucket, S3BuildLeases leases) {
}
