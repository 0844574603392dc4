package dev.imagefactory.ops;

import dev.imagefactory.http.PlainTextErrors;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * Readiness probe backed by {@link Readiness}; HEAD is answered by JAX-RS from GET. Answered on the I/O thread, the
 * checks run bounded in time by {@link ReadinessProbe}, so the probe never queues behind requests in the worker pool.
 */
@Path("/readyz")
public class ReadyzResource {
    private final ReadinessProbe probe;

    public ReadyzResource(ReadinessProbe probe) {
        this.probe = probe;
    }

    @GET
    @NonBlocking
    public CompletionStage<Response> readyz() {
        return probe.ready().thenApply(ready -> ready
                ? Response.ok().build()
                : PlainTextErrors.response(503, "not ready").build());
    }
}
