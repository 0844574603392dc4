package dev.imagefactory.http;

import dev.imagefactory.build.Asset;
import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.BuildRequest;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;

/**
 * {@code GET|HEAD /image/{schematic}/{version}/{path}}: boot assets by the reference's path grammar, built on first
 * request and then served from the cache with ranges, a strong ETag and checksum sidecars ({@code .sha256},
 * {@code .sha512}) computed once at build time; or, with {@code factory.cache.s3.redirect=true}, a GET is sent to a
 * presigned S3 URL ({@link DownloadRedirects}). HEAD is always answered here, from metadata.
 */
@Path("/image/{schematic}/{version}/{path}")
public class ImageResource {

    @Inject
    AssetService assets;

    @Inject
    ArtifactResponses responses;

    @Inject
    DownloadRedirects redirects;

    @GET
    public Response get(@PathParam("schematic") String schematic, @PathParam("version") String version,
            @PathParam("path") String path, @QueryParam("filename") String filename, @Context HttpHeaders headers) {
        return serve("GET", schematic, version, path, filename, headers);
    }

    @HEAD
    public Response head(@PathParam("schematic") String schematic, @PathParam("version") String version,
            @PathParam("path") String path, @QueryParam("filename") String filename, @Context HttpHeaders headers) {
        return serve("HEAD", schematic, version, path, filename, headers);
    }

    private Response serve(String method, String schematic, String version, String rawPath, String filename,
            HttpHeaders headers) {
        AssetPath path = AssetPath.parse(rawPath);
        BuildRequest request = assets.request(schematic, version, path);
        if (path.sidecar().isPresent() && !path.sidecar().get().isChecksum()) {
            throw new NotFoundException("asset signatures are not published by this factory");
        }
        Asset asset = assets.asset(request, path);
        boolean served = false;
        try {
            Optional<Response> withoutBody = answerWithoutBody(method, asset, path, filename, headers);
            if (withoutBody.isPresent()) {
                return withoutBody.get();
            }
            served = true; // from here the response owns the lease and releases it once the body is written
            return responses.serve(method, headers, asset.lease(), name(asset, filename), asset.contentType());
        } finally {
            if (!served) {
                asset.close();
            }
        }
    }

    private static String name(Asset asset, String filename) {
        return filename == null || filename.isEmpty() ? asset.filename() : filename;
    }

    /** The checksum sidecar or the redirect to S3, when the request asks for one of those. */
    private Optional<Response> answerWithoutBody(String method, Asset asset, AssetPath path, String filename,
            HttpHeaders headers) {
        String name = name(asset, filename);
        if (path.sidecar().isPresent()) {
            ArtifactResponses.Checksum kind = path.sidecar().get() == AssetPath.Sidecar.SHA256
                    ? ArtifactResponses.Checksum.SHA256 : ArtifactResponses.Checksum.SHA512;
            return Optional.of(responses.checksum(method, asset.artifact(), name, kind));
        }
        if ("GET".equals(method)) {
            Optional<URI> target;
            try {
                target = redirects.target(asset.artifact(), name, asset.contentType(), headers.getHeaderString("Host"));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("malformed Host header");
            }
            if (target.isPresent()) {
                return Optional.of(Response.status(Response.Status.FOUND).location(target.get())
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build());
            }
        }
        return Optional.empty();
    }
}
