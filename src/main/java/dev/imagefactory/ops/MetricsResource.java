package dev.imagefactory.ops;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.smallrye.common.annotation.NonBlocking;
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
 * Prometheus scrape endpoint at {@code /metrics}, text exposition format 0.0.4 whatever the client accepts, as it has
 * always answered. The registry is Quarkus' own (quarkus-micrometer-registry-prometheus: our meters, HTTP server and
 * JVM metrics); its endpoint at {@code /q/metrics} answers OpenMetrics to clients that send no {@code Accept} and
 * runs on a worker thread, so it would queue behind blocked requests under build load. A scrape only reads meters
 * in memory, so this one answers on the event loop.
 */
@Path("/metrics")
public class MetricsResource {
    static final String CONTENT_TYPE = TextFormat.CONTENT_TYPE_004;
    private final PrometheusMeterRegistry registry;

    public MetricsResource(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    @NonBlocking
    @Tag(name = ApiDocumentation.OPERATIONS)
    @Operation(operationId = "metrics", summary = "Prometheus metrics", description = "Prometheus text exposition format 0.0.4.")
    @APIResponse(responseCode = "200", description = "Current metric values.",
            content = @Content(mediaType = CONTENT_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public Response scrape() {
        return Response.ok(registry.scrape(CONTENT_TYPE))
                .type(CONTENT_TYPE)
                .build();
    }
}
