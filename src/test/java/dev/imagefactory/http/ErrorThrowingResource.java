package dev.imagefactory.http;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.PayloadTooLargeException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Test-only routes that fail in each way the error mapping has to handle. */
@Path("/test-errors")
public class ErrorThrowingResource {

    @GET
    @Path("{kind}")
    public String fail(@PathParam("kind") String kind) {
        switch (kind) {
            case "invalid" -> throw new InvalidInputException("invalid profile path:\n\"metal-amd64.ssd\"\r\nsecond line");
            case "not-found" -> throw new NotFoundException("schematic not found");
            case "too-large" -> throw new PayloadTooLargeException("schematic is too large");
            case "unavailable" -> throw new ServiceUnavailableException(30L);
            case "bug" -> throw new IllegalStateException("secret internal detail");
            default -> {
                return "ok";
            }
        }
    }

    @POST
    @Path("json")
    @Consumes(MediaType.APPLICATION_JSON)
    public String json(Map<String, Integer> body) {
        return body.keySet().toString();
    }
}
