package dev.imagefactory.http;

import dev.imagefactory.catalog.ReleaseDataException;
import dev.imagefactory.catalog.TalosctlFiles;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.model.TalosVersion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * talosctl downloads (reference {@code /talosctl/:version}, image-factory-reference.md §1.5): the list of a release's
 * binaries as absolute URLs, and each binary. Unlike upstream, an unknown file is a 404 (upstream: 500) and a
 * malformed version a 400.
 */
@Path("/talosctl/{version}")
public class TalosctlResource {

    private static final Logger LOG = Logger.getLogger(TalosctlResource.class);
    private static final String FILE = "A talosctl binary's name, `talosctl-<os>-<arch>` or `talosctl-windows-<arch>.exe`.";

    @Inject
    TalosctlFiles files;

    @Inject
    FactoryConfig config;

    @GET
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "listTalosctl", summary = "List the talosctl binaries of a Talos version",
            description = "Absolute download URLs, sorted; an empty array before Talos 1.11, as upstream.")
    @APIResponse(responseCode = "200", description = "The download URLs.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = String.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "503", description = "The release source cannot provide the binaries now (e.g. its registry is unreachable); `Retry-After` says when to try again.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Response list(@Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0")
            @PathParam("version") String version) {
        TalosVersion parsed = TalosVersion.parse(version);
        String base = config.externalUrl().replaceAll("/+$", "") + "/talosctl/" + parsed + "/";
        List<String> names;
        try {
            names = files.list(parsed);
        } catch (ReleaseDataException e) {
            return unavailable(e);
        }
        return Response.ok(names.stream().map(name -> base + name).toList(), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("{file}")
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "getTalosctl", summary = "Download a talosctl binary of a Talos version")
    @APIResponse(responseCode = "200", description = "The binary, as the release has it, with Content-Length and Content-Disposition.",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM,
                    schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "503", description = "The release source cannot provide the binaries now (e.g. its registry is unreachable); `Retry-After` says when to try again.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Response file(@Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version,
            @Parameter(description = FILE, example = "talosctl-linux-amd64") @PathParam("file") String file) {
        try {
            java.nio.file.Path path = files.file(TalosVersion.parse(version), file);
            return headers(path, file).entity(path).build();
        } catch (ReleaseDataException e) {
            return unavailable(e);
        }
    }

    @HEAD
    @Path("{file}")
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "headTalosctl", summary = "Headers of a talosctl binary")
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body.")
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "503", description = "The release source cannot provide the binaries now (e.g. its registry is unreachable); `Retry-After` says when to try again.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Response fileHead(@Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version,
            @Parameter(description = FILE, example = "talosctl-linux-amd64") @PathParam("file") String file) {
        try {
            return headers(files.file(TalosVersion.parse(version), file), file).build();
        } catch (ReleaseDataException e) {
            return unavailable(e);
        }
    }

    /** The release source could not provide the binaries (e.g. its registry is unreachable): retry later. */
    private static Response unavailable(ReleaseDataException e) {
        LOG.warn(e.getMessage());
        return PlainTextErrors.response(503, "the release source cannot provide talosctl now, retry later")
                .header("Retry-After", "10").build();
    }

    /** The name is one of {@link TalosctlFiles#isTalosctlName}'s, so it needs no quoting. */
    private static Response.ResponseBuilder headers(java.nio.file.Path path, String name) {
        try {
            return Response.ok()
                    .type(MediaType.APPLICATION_OCTET_STREAM)
                    .header(HttpHeaders.CONTENT_LENGTH, Long.toString(Files.size(path)))
                    .header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
