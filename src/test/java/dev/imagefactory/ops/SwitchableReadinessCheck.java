package dev.imagefactory.ops;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Test-only readiness check that tests can turn down or make throw; up unless told otherwise. */
@Readiness
@ApplicationScoped
public class SwitchableReadinessCheck implements HealthCheck {
    enum State { UP, DOWN, THROWING }

    private volatile State state = State.UP;

    /** A method, not a field: tests hold a client proxy, whose fields are not the bean's. */
    void set(State state) {
        this.state = state;
    }

    @Override
    public HealthCheckResponse call() {
        return switch (state) {
            case UP -> HealthCheckResponse.up("test switch");
            case DOWN -> HealthCheckResponse.down("test switch");
            case THROWING -> throw new IllegalStateException("boom");
        };
    }
}
