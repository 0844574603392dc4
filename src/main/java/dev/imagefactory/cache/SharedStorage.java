package dev.imagefactory.cache;

import dev.imagefactory.cache.s3.S3Storage;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Storage shared between replicas, when configured ({@code factory.cache.backend=s3}); none by default. */
public final class SharedStorage {

    private final S3Storage s3;

    SharedStorage(S3Storage s3) {
        this.s3 = s3;
    }

    public Optional<S3Storage> s3() {
        return Optional.ofNullable(s3);
    }

    /**
     * The probe of the shared store, for health checks: answers whether it is reachable (blocking, bounded by the
     * store's own timeouts); empty without shared storage.
     */
    public Optional<BooleanSupplier> reachability() {
        return s3().map(storage -> storage.bucket()::reachable);
    }
}
