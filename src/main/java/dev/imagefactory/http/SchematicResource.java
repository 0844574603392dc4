package dev.imagefactory.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.PayloadTooLargeException;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.model.SchematicId;
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
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/** {@code POST /schematics} and {@code GET /schematics/{id}}, wire-compatible with the reference. */
@Path("/schematics")
public class SchematicResource {

    /** Larger bodies are refused with 413 before parsing. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** Bodies up to this size without aliases are parsed on the event loop (well under a millisecond); others on a worker. */
    static final int EVENT_LOOP_PARSE_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SchematicService schematics;

    /** The JSON answer; field order as the reference writes it. */
    @JsonPropertyOrder({"id", "schematic"})
    @Schema(name = "SchematicCreated", requiredProperties = {"id", "schematic"})
    public record Created(
            @Schema(description = "SHA-256 of the canonical YAML, 64 lower-case hex characters.") String id,
            @Schema(description = "The canonical YAML of the schematic.") String schematic) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.SCHEMATICS)
    @Operation(operationId = "createSchematic", summary = "Create a schematic", description = """
            The body is parsed as YAML (JSON is valid YAML) whatever the `Content-Type` says, except that multipart form
            uploads are refused with 415. Unknown fields are rejected. The ID is the SHA-256 of the schematic's canonical
            YAML, so creating the same schematic twice is idempotent and returns the same ID (still 201). Beyond the
            reference, a schematic is refused with 400 (the reason names the limit) when, with its aliases expanded, it
            decodes to more than 1 MiB, nests deeper than 64 levels, or lists more than 256 extensions, 256 META values
            or 1024 kernel arguments.""")
    @RequestBody(required = true, content = {
        @Content(mediaType = "application/yaml", schema = @Schema(ref = "Schematic")),
        @Content(mediaType = "application/json", schema = @Schema(ref = "Schematic"))
    })
    @APIResponse(responseCode = "201", description = "Created (or already existing).",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Created.class)))
    @APIResponse(responseCode = "400", description = """
            Invalid schematic; the one-line body says what is wrong. This includes an `extraKernelArgs` entry that an iPXE
            script or `grub.cfg` cannot carry unchanged, named in the message, e.g. `kernel argument "a'b" cannot be
            written into grub.cfg: GRUB's linux command passes ' to the kernel as \\'`: `${` followed by `}` (iPXE
            setting expansion, which has no escape), `\\`, `'`, a `"` the kernel keeps (only grouping quotes such as
            `k="a b"` pass), an unbalanced `"`, or a control character.""",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    @APIResponse(responseCode = "413", ref = "PayloadTooLarge")
    @APIResponse(responseCode = "415", description = "The body was sent as a multipart form; send the schematic as the raw body.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    @APIResponse(responseCode = "503", description = """
            The schematic could not be stored: S3 is unreachable, or the local disk is full, read-only or refuses access
            (one-line reason, `Retry-After`).""",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Uni<Response> create(@Parameter(hidden = true) byte[] body,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        // Like the reference, the body is YAML (JSON is YAML) whatever the Content-Type says; only multipart
        // form uploads are refused, because their framing would be parsed as YAML.
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            throw new NotSupportedException("send the schematic as the raw request body (YAML or JSON), not as a multipart form");
        }
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new PayloadTooLargeException("schematic body is larger than 1 MiB");
        }
        // Runs on the event loop (no thread hop) while the work is short and needs no I/O: a small body is parsed
        // here, and a schematic this process already stored is answered here. Large bodies, bodies that may use
        // aliases (a few bytes of them can expand to the 1 MiB decode limit) and the first store of a schematic
        // (fsync, S3) go to a worker thread.
        if (body.length > EVENT_LOOP_PARSE_BYTES || mayUseAliases(body)) {
            byte[] large = body;
            return onWorker(() -> answer(store(schematics.parse(large))));
        }
        CanonicalSchematic parsed = schematics.parse(body);
        if (schematics.createIfKnown(parsed)) {
            return Uni.createFrom().item(answer(parsed));
        }
        return onWorker(() -> answer(store(parsed)));
    }

    /** An alias is written {@code *name}; a {@code *} anywhere else only sends the body to a worker needlessly. */
    private static boolean mayUseAliases(byte[] body) {
        for (byte b : body) {
            if (b == '*') {
                return true;
            }
        }
        return false;
    }

    private CanonicalSchematic store(CanonicalSchematic parsed) {
        schematics.store(parsed);
        return parsed;
    }

    private static Uni<Response> onWorker(java.util.function.Supplier<Response> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The {@link Created} answer, written field by field (the same bytes as data binding, without its reflection). */
    private static Response answer(CanonicalSchematic created) {
        ByteArrayBuilder body = new ByteArrayBuilder(created.canonicalYaml().length + 128);
        try (JsonGenerator json = JSON.getFactory().createGenerator(body, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("id", created.id().value());
            json.writeStringField("schematic", created.canonicalText());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a schematic answer could not be written as JSON", e);
        }
        // The reference's JSON encoder ends the body with a newline; keep the bytes the same.
        body.write('\n');
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body.toByteArray()).build();
    }

    @GET
    @Path("/{id}")
    @Produces("application/yaml")
    @Tag(name = ApiDocumentation.SCHEMATICS)
    @Operation(operationId = "getSchematic", summary = "Get a schematic")
    @APIResponse(responseCode = "200", description = "The schematic as canonical YAML.",
            content = @Content(mediaType = "application/yaml", schema = @Schema(ref = "Schematic")))
    @APIResponse(responseCode = "404", description = """
            No such schematic, also for a text that is no schematic ID (as the reference, which looks it up and does
            not find it). The line starts with the reference's `schematic not found`, then says which.""",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public byte[] get(@Parameter(description = ApiDocumentation.SCHEMATIC_ID, example = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("id") String id) {
        // the reference answers `schematic not found` here (its configuration.go); Go clients look for that text
        SchematicId parsed = SchematicId.tryParse(id).orElseThrow(() -> new NotFoundException(
                "schematic not found: " + SchematicId.quote(id) + " is not a schematic ID (64 lowercase hex digits)"));
        try {
            return schematics.canonicalYaml(parsed);
        } catch (NotFoundException e) {
            throw new NotFoundException("schematic not found: no schematic has the ID " + SchematicId.quote(id));
        }
    }

}
