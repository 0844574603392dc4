package dev.imagefactory.ops;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

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
    public Response scrape() {
        return Response.ok(registry.scrape(CONTENT_TYPE))
                .type(CONTENT_TYPE)
                .build();
    }
}
