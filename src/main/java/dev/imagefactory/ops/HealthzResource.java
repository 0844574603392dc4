package dev.imagefactory.ops;

import dev.imagefactory.http.PlainTextErrors;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Liveness probe: 200 with an empty body while every SmallRye {@code @Liveness} check is up (there are none of our
 * own: the process answering HTTP is the proof), else 503 {@code not alive}. The JSON is at {@code /q/health/live}.
 * Answered on the event loop. HEAD is answered by JAX-RS from GET. (One class per probe because a root resource at
 * {@code @Path("/")} would claim every unknown path for JAX-RS.)
 */
@Path("/healthz")
public class HealthzResource {
    private final SmallRyeHealthReporter health;

    public HealthzResource(SmallRyeHealthReporter health) {
        this.health = health;
    }

    @GET
    @NonBlocking
    public Uni<Response> healthz() {
        return health.getLivenessAsync().map(liveness -> liveness.isDown()
                ? PlainTextErrors.response(503, "not alive").build()
                : Response.ok().build());
    }
}
