package dev.imagefactory.http;

import dev.imagefactory.build.Asset;
import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.BuildRequest;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import io.smallrye.common.annotation.Blocking;
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
import java.util.concurrent.CompletionStage;

/**
 * {@code GET|HEAD /image/{schematic}/{version}/{path}}: boot assets by the reference's path grammar, built on first
 * request and then served from the cache with ranges, a strong ETag and checksum sidecars ({@code .sha256},
 * {@code .sha512}) computed once at build time; or, with {@code factory.cache.s3.redirect=true}, a GET is sent to a
 * presigned S3 URL ({@link DownloadRedirects}). HEAD is always answered here, from metadata.
 *
 * <p>The checks run on a worker thread ({@code @Blocking}: they may read the schematic store); a request that has to
 * wait for a build then gives its thread back and is answered when the build is done ({@link AsyncResponses}),
 * or at once with 503 when {@code factory.build.max-waiting} requests already wait ({@link ArtifactBuilds#admitted}).
 */
@Path("/image/{schematic}/{version}/{path}")
public class ImageResource {

    @Inject
    AssetService assets;

    @Inject
    ArtifactBuilds builds;

    @Inject
    ArtifactResponses responses;

    @Inject
    DownloadRedirects redirects;

    @GET
    @Blocking
    public CompletionStage<Response> get(@PathParam("schematic") String schematic, @PathParam("version") String version,
            @PathParam("path") String path, @QueryParam("filename") String filename, @Context HttpHeaders headers) {
        return serve("GET", schematic, version, path, filename, headers);
    }

    @HEAD
    @Blocking
    public CompletionStage<Response> head(@PathParam("schematic") String schematic, @PathParam("version") String version,
            @PathParam("path") String path, @QueryParam("filename") String filename, @Context HttpHeaders headers) {
        return serve("HEAD", schematic, version, path, filename, headers);
    }

    private CompletionStage<Response> serve(String method, String schematic, String version, String rawPath,
            String filename, HttpHeaders headers) {
        AssetPath path = AssetPath.parse(rawPath);
        BuildRequest request = assets.request(schematic, version, path);
        if (path.sidecar().isPresent() && !path.sidecar().get().isChecksum()) {
            throw new NotFoundException("asset signatures are not published by this factory");
        }
        String host = headers.getHeaderString("Host");
        String range = headers.getHeaderString("Range");
        String ifNoneMatch = headers.getHeaderString(HttpHeaders.IF_NONE_MATCH);
        String ifRange = headers.getHeaderString("If-Range");
        return AsyncResponses.when(builds.admitted(() -> assets.asset(request, path)),
                asset -> respond(method, path, asset, filename, host, range, ifNoneMatch, ifRange));
    }

    /** The answer for a leased asset, which this method owns: released here, or by the body once written. */
    private Response respond(String method, AssetPath path, Asset asset, String filename, String host, String range,
            String ifNoneMatch, String ifRange) {
        boolean served = false;
        try {
            Optional<Response> withoutBody = answerWithoutBody(method, asset, path, filename, host);
            if (withoutBody.isPresent()) {
                return withoutBody.get();
            }
            served = true; // from here the response owns the lease and releases it once the body is written
            return responses.serve(method, range, ifNoneMatch, ifRange, asset.lease(), name(asset, filename),
                    asset.contentType());
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
            String host) {
        String name = name(asset, filename);
        if (path.sidecar().isPresent()) {
            ArtifactResponses.Checksum kind = path.sidecar().get() == AssetPath.Sidecar.SHA256
                    ? ArtifactResponses.Checksum.SHA256 : ArtifactResponses.Checksum.SHA512;
            return Optional.of(responses.checksum(method, asset.artifact(), name, kind));
        }
        if ("GET".equals(method)) {
            Optional<URI> target;
            try {
                target = redirects.target(asset.artifact(), name, asset.contentType(), host);
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
