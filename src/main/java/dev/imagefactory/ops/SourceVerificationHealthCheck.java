package dev.imagefactory.ops;

import dev.imagefactory.signing.ImageTrust;
import dev.imagefactory.signing.SourceVerification;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness detail of source image verification: always up (a bad key stops the start), it says whether signatures
 * are checked and with how many keys, so verification switched off is visible to whoever looks at the probe.
 */
@Readiness
@ApplicationScoped
public class SourceVerificationHealthCheck implements AsyncHealthCheck {
    static final String NAME = "source-image-verification";

    private final SourceVerification verification;

    public SourceVerificationHealthCheck(SourceVerification verification) {
        this.verification = verification;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().item(() -> {
            ImageTrust trust = verification.releases();
            return HealthCheckResponse.named(NAME).up()
                    .withData("verification", trust.enabled() ? "on" : "OFF (factory.releases.verify.enabled=false)")
                    .withData("keys", trust.keys().size())
                    .build();
        });
    }
}
