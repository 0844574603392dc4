package dev.imagefactory.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** Prometheus scrape endpoint, text exposition format 0.0.4. */
@Path("/metrics")
public class MetricsResource {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final PrometheusMeterRegistry registry;

    public MetricsResource(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Response scrape() {
        return Response.ok(registry.scrape(CONTENT_TYPE))
                .type(CONTENT_TYPE)
                .build();
    }
}
