package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Answers a {@link RegistryError} as the distribution spec's JSON error body. */
@Provider
public class RegistryErrorMapper implements ExceptionMapper<RegistryError> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Response toResponse(RegistryError error) {
        return response(error);
    }

    static Response response(RegistryError error) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode entry = body.putArray("errors").addObject();
        entry.put("code", error.code());
        entry.put("message", error.getMessage());
        entry.putObject("detail");
        Response.ResponseBuilder builder = Response.status(error.status())
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(RegistryResource.API_VERSION_HEADER, RegistryResource.API_VERSION)
                .entity(body.toString());
        if (error.retryAfterSeconds() != null) {
            builder.header("Retry-After", Long.toString(error.retryAfterSeconds()));
        }
        return builder.build();
    }
}
