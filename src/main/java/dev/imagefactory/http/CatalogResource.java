package dev.imagefactory.http;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.TalosVersion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

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
    public List<ExtensionInfo> extensions(@PathParam("version") String version) {
        return catalog.extensions(TalosVersion.parse(version)).stream().map(ExtensionInfo::of).toList();
    }

    @GET
    @Path("overlays/official")
    public List<OverlayInfo> overlays(@PathParam("version") String version) {
        return catalog.overlays(TalosVersion.parse(version)).stream().map(OverlayInfo::of).toList();
    }
}
