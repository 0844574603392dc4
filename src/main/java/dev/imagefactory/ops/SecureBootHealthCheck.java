package dev.imagefactory.ops;

import dev.imagefactory.secureboot.SecureBootKeys;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: when SecureBoot is configured, its keys are loaded (they are read at start-up, and a bad configuration
 * stops the start, so this is up whenever the service runs; it says which state it is in). Up when SecureBoot is off.
 */
@Readiness
@ApplicationScoped
public class SecureBootHealthCheck implements AsyncHealthCheck {
    static final String NAME = "secureboot-keys";

    private final SecureBootKeys keys;

    public SecureBootHealthCheck(SecureBootKeys keys) {
        this.keys = keys;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().item(() -> {
            try {
                boolean enabled = keys.enabled();
                return HealthCheckResponse.named(NAME).up().withData("secureboot", enabled ? "enabled" : "off").build();
            } catch (RuntimeException e) {
                return HealthCheckResponse.named(NAME).down().withData("secureboot", "keys not loaded").build();
            }
        });
    }
}
