package dev.imagefactory.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Prometheus scrape endpoint, text exposition format 0.0.4. Answered on the I/O thread (every meter reads memory
 * only), so a scrape never queues behind requests in the worker pool.
 */
@Path("/metrics")
public class MetricsResource {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
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
