package dev.imagefactory.ops;

import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.config.FactoryConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the release source answers its version list (the directory can be listed; the registry's tags, reused
 * for {@code factory.releases.oci.recheck-interval}, were read) within {@code factory.readiness.timeout}. A missing
 * release directory is readable and empty.
 */
@Readiness
@ApplicationScoped
public class ReleaseSourceHealthCheck implements AsyncHealthCheck {
    static final String NAME = "release-source";

    private final AtomicInteger versions = new AtomicInteger();
    private final BackgroundCheck check;

    public ReleaseSourceHealthCheck(ReleaseSource releases, FactoryConfig config) {
        this.check = new BackgroundCheck(NAME, () -> {
            versions.set(releases.versions().size());
            return true;
        }, BackgroundCheck.readinessBound(config));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().completionStage(check.run().thenApply(outcome -> HealthCheckResponse.named(NAME)
                .status(outcome.up())
                .withData("versions", outcome.up() ? versions.get() : 0)
                .build()));
    }
}
