package dev.imagefactory.http;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.model.TalosVersion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * Official extensions and overlays of one Talos version ({@code v1.11.0} or {@code 1.11.0}). A malformed version is
 * a 400 (upstream answers 500), an unavailable one a 404.
 */
@Path("/version/{version}")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    @Inject
    Catalog catalog;

    @GET
    @Path("extensions/official")
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "listOfficialExtensions", summary = "List the official system extensions of a Talos version",
            description = "With an extra (custom) extensions manifest configured (factory.extensions.extra.*), its"
                    + " entries come first, under their own names, and replace official entries of the same name,"
                    + " as the reference lists them; schematics name them in officialExtensions like any other.")
    @APIResponse(responseCode = "200", description = "Extensions in the version's official catalog, extra ones first.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = ExtensionInfo.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public List<ExtensionInfo> extensions(@Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version) {
        return catalog.extensions(TalosVersion.parse(version)).stream().map(ExtensionInfo::of).toList();
    }

    @GET
    @Path("overlays/official")
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "listOfficialOverlays", summary = "List the official overlays of a Talos version",
            description = "Talos versions before 1.7 have no overlays and return an empty array.")
    @APIResponse(responseCode = "200", description = "Overlays in the version's official catalog.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = OverlayInfo.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public List<OverlayInfo> overlays(@Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version) {
        return catalog.overlays(TalosVersion.parse(version)).stream().map(OverlayInfo::of).toList();
    }
}
