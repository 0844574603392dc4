package dev.imagefactory.ops;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * Liveness probe: the process answers HTTP. HEAD is answered by JAX-RS from GET. (One class per probe because a
 * root resource at {@code @Path("/")} would claim every unknown path for JAX-RS.)
 */
@Path("/healthz")
public class HealthzResource {

    @GET
    public Response healthz() {
        return Response.ok().build();
    }
}
