package dev.imagefactory.ops;

import dev.imagefactory.http.PlainTextErrors;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Readiness probe with the answers Kubernetes and upstream clients know: 200 with an empty body while every SmallRye
 * {@code @Readiness} check is up ({@link StorageHealthCheck}, {@link ReleaseSourceHealthCheck},
 * {@link SecureBootHealthCheck}), else 503 {@code not ready}. The checks' JSON is at {@code /q/health/ready}. Answered
 * on the event loop (the checks never block it), so it never queues behind build requests. HEAD is answered by JAX-RS
 * from GET.
 */
@Path("/readyz")
public class ReadyzResource {
    private final SmallRyeHealthReporter health;

    public ReadyzResource(SmallRyeHealthReporter health) {
        this.health = health;
    }

    @GET
    @NonBlocking
    public Uni<Response> readyz() {
        return health.getReadinessAsync().map(readiness -> readiness.isDown()
                ? PlainTextErrors.response(503, "not ready").build()
                : Response.ok().build());
    }
}
