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
    @Tag(name = ApiDocumentation.OPERATIONS)
    @Operation(operationId = "readyz", summary = "Readiness probe", description = """
            200 while every readiness check passes: the data directory takes a real write (a few KiB written and flushed;
            the verdict is reused for 5 s), with `s3` the bucket answers, the release source lists its versions, and
            SecureBoot keys are loaded when configured. A check that has not answered within `factory.readiness.timeout`
            (default 2 s; a full or hung disk, a frozen S3) counts as failing, so the probe answers within that bound.
            Answered on the I/O threads: it never queues behind build requests. The checks' JSON is at
            `/q/health/ready`.""")
    @APIResponse(responseCode = "200", description = "Ready. Empty body.")
    @APIResponse(responseCode = "503", description = "Not ready (a check failed or did not answer within "
            + "`factory.readiness.timeout`); body `not ready`.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Uni<Response> readyz() {
        return health.getReadinessAsync().map(readiness -> readiness.isDown()
                ? PlainTextErrors.response(503, "not ready").build()
                : Response.ok().build());
    }
}
