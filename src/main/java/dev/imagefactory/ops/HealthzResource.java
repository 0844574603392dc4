package dev.imagefactory.ops;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Liveness probe: the process answers HTTP. HEAD is answered by JAX-RS from GET. (One class per probe because a
 * root resource at {@code @Path("/")} would claim every unknown path for JAX-RS.) Answered on the I/O thread, so it
 * never queues behind requests in the worker pool.
 */
@Path("/healthz")
public class HealthzResource {

    @GET
    @NonBlocking
    public Response healthz() {
        return Response.ok().build();
    }
}
