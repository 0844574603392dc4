package dev.imagefactory.ops;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** Serves the OpenAPI document as YAML. */
@Path("/openapi")
public class OpenApiResource {
    private final OpenApiDocument document;

    public OpenApiResource(OpenApiDocument document) {
        this.document = document;
    }

    @GET
    public Response openapi() {
        return Response.ok(document.yaml()).type(OpenApiDocument.CONTENT_TYPE).build();
    }

    /** Where Quarkus' own OpenAPI extension would serve it; kept for tools that expect that location. */
    @Path("/q/openapi")
    public static class QuarkusAlias extends OpenApiResource {
        public QuarkusAlias(OpenApiDocument document) {
            super(document);
        }
    }
}
