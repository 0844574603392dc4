package dev.imagefactory.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.errors.PayloadTooLargeException;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.SchematicId;
import dev.imagefactory.schematic.SchematicService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/** {@code POST /schematics} and {@code GET /schematics/{id}}, wire-compatible with the reference. */
@Path("/schematics")
public class SchematicResource {

    /** Larger bodies are refused with 413 before parsing. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SchematicService schematics;

    /** The JSON answer; field order as the reference writes it. */
    @JsonPropertyOrder({"id", "schematic"})
    public record Created(String id, String schematic) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) throws IOException {
        // Like the reference, the body is YAML (JSON is YAML) whatever the Content-Type says; only multipart
        // form uploads are refused, because their framing would be parsed as YAML.
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            throw new NotSupportedException("send the schematic as the raw request body (YAML or JSON), not as a multipart form");
        }
        CanonicalSchematic created = schematics.create(readLimited(body));
        // The reference's JSON encoder ends the body with a newline; keep the bytes the same.
        String json = JSON.writeValueAsString(new Created(created.id().value(), created.canonicalText())) + "\n";
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON_TYPE).entity(json).build();
    }

    @GET
    @Path("/{id}")
    @Produces("application/yaml")
    public byte[] get(@PathParam("id") String id) {
        return schematics.canonicalYaml(SchematicId.parse(id));
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new PayloadTooLargeException("schematic body is larger than 1 MiB");
        }
        return bytes;
    }
}
