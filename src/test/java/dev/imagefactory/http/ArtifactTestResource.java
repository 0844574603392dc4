package dev.imagefactory.http;

import dev.imagefactory.build.DownloadNames;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.errors.NotFoundException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/**
 * Test-only route serving a published artifact the way the image route does: {@code GET|HEAD
 * /test-artifacts/{key}/{name}[.sha256]?filename=...&leased=true|false}. HEAD reaches this GET method (JAX-RS default).
 */
@Path("/test-artifacts")
public class ArtifactTestResource {

    private static final String SHA256 = ".sha256";

    @Inject
    ArtifactCache cache;

    @Inject
    ArtifactResponses responses;

    @GET
    @Path("{key}/{path}")
    public Response get(@PathParam("key") String key, @PathParam("path") String path, @QueryParam("filename") String filename,
            @QueryParam("leased") boolean leased, @Context HttpHeaders headers, @Context Request request) {
        boolean checksum = path.endsWith(SHA256);
        String served = checksum ? path.substring(0, path.length() - SHA256.length()) : path;
        CachedArtifact artifact = cache.lookup(new CacheKey(key)).orElseThrow(() -> new NotFoundException("no such artifact"));
        String name = filename == null || filename.isEmpty() ? served : filename;
        if (checksum) { // the SHA-256 recorded at publish time, as the image route answers it
            String clean = DownloadNames.clean(name);
            return ArtifactResponses.checksum(request.getMethod(), artifact.sha256() + "  " + clean + "\n",
                    clean + SHA256);
        }
        if (leased) { // as the image route serves: the response owns the lease
            return responses.serve(request.getMethod(), headers, cache.pin(artifact).orElseThrow(), name,
                    "application/x-iso9660-image");
        }
        return responses.serve(request.getMethod(), headers, artifact, name, "application/x-iso9660-image");
    }
}
