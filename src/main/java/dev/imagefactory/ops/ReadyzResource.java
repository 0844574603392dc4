package dev.imagefactory.ops;

import dev.imagefactory.http.PlainTextErrors;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** Readiness probe backed by {@link Readiness}; HEAD is answered by JAX-RS from GET. */
@Path("/readyz")
public class ReadyzResource {
    private final Readiness readiness;

    public ReadyzResource(Readiness readiness) {
        this.readiness = readiness;
    }

    @GET
    public Response readyz() {
        return readiness.isReady()
                ? Response.ok().build()
                : PlainTextErrors.response(503, "not ready").build();
    }
}
