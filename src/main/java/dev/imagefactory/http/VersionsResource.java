package dev.imagefactory.http;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.model.TalosVersion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** {@code GET /versions}: available Talos versions, ascending; {@code ?broken=true} lists the broken ones instead. */
@Path("/versions")
public class VersionsResource {

    @Inject
    Catalog catalog;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "listVersions", summary = "List available Talos versions")
    @APIResponse(responseCode = "200", description = "Versions (`v<semver>`), ascending.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY,
                    implementation = String.class, example = "[\"v1.10.0\", \"v1.11.0\"]")))
    public List<String> versions(@Parameter(description = "When exactly `true`, lists the versions configured as broken instead.")
            @QueryParam("broken") String broken) {
        // upstream compares the exact string: "True" or "1" list the available versions
        List<TalosVersion> versions = "true".equals(broken) ? catalog.brokenVersions() : catalog.versions();
        return versions.stream().map(TalosVersion::toString).toList();
    }
}
