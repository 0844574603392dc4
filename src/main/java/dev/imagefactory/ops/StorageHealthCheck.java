package dev.imagefactory.ops;

import dev.imagefactory.cache.SharedStorage;
import dev.imagefactory.config.FactoryConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the data directory takes a real write ({@link DataDirectory}: 4 KiB written and flushed, verdict reused
 * for 5 s) and, with {@code factory.cache.backend=s3}, the bucket answers; each within {@code factory.readiness.timeout}
 * (a hung disk or a frozen S3 answers "down" then, the check itself goes on on its own thread).
 */
@Readiness
@ApplicationScoped
public class StorageHealthCheck implements AsyncHealthCheck {
    static final String NAME = "storage";

    private final DataDirectory dataDirectory;
    private final Optional<BackgroundCheck> s3;

    public StorageHealthCheck(DataDirectory dataDirectory, SharedStorage shared, FactoryConfig config) {
        this.dataDirectory = dataDirectory;
        this.s3 = shared.reachability().map(reachable -> new BackgroundCheck("s3", reachable,
                BackgroundCheck.readinessBound(config)));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        CompletableFuture<Boolean> disk = dataDirectory.writableAsync();
        CompletableFuture<Optional<BackgroundCheck.Outcome>> bucket = s3.isPresent()
                ? s3.get().run().thenApply(Optional::of)
                : CompletableFuture.completedFuture(Optional.empty());
        return Uni.createFrom().completionStage(disk.thenCombine(bucket, (writable, reached) -> {
            var response = HealthCheckResponse.named(NAME)
                    .withData("data-dir", writable ? "writable" : "not writable");
            reached.ifPresent(outcome -> response.withData("s3", outcome.up() ? "reachable" : "unreachable"));
            return response.status(writable && reached.map(BackgroundCheck.Outcome::up).orElse(true)).build();
        }));
    }
}
