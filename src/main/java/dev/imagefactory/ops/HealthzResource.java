package dev.imagefactory.ops;

import dev.imagefactory.http.PlainTextErrors;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import dev.imagefactory.http.ApiDocumentation;

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
    @Tag(name = ApiDocumentation.OPERATIONS)
    @Operation(operationId = "healthz", summary = "Liveness probe",
            description = "SmallRye Health's liveness checks; their JSON is at `/q/health/live`.")
    @APIResponse(responseCode = "200", description = "The process is alive. Empty body.")
    @APIResponse(responseCode = "503", description = "A liveness check is down; body `not alive`.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Uni<Response> healthz() {
        return health.getLivenessAsync().map(liveness -> liveness.isDown()
                ? PlainTextErrors.response(503, "not alive").build()
                : Response.ok().build());
    }
}
