package dev.imagefactory.http;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.TalosVersion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /versions}: available Talos versions, ascending; {@code ?broken=true} lists the broken ones instead. */
@Path("/versions")
public class VersionsResource {

    @Inject
    Catalog catalog;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> versions(@QueryParam("broken") String broken) {
        // upstream compares the exact string: "True" or "1" list the available versions
        List<TalosVersion> versions = "true".equals(broken) ? catalog.brokenVersions() : catalog.versions();
        return versions.stream().map(TalosVersion::toString).toList();
    }
}
