package dev.imagefactory.http;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.BuildBoard;
import dev.imagefactory.build.BuildStarter;
import dev.imagefactory.build.TrackedBuild;
import dev.imagefactory.build.ImageRequest;
import dev.imagefactory.build.ImageResolver;
import dev.imagefactory.build.ResolvedImage;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.signing.SigningKeys;
import dev.imagefactory.signing.SigstoreBundle;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code GET|HEAD /image/{schematic}/{version}/{path}}: boot assets by the reference's path grammar, built on first
 * request and then served from the cache with ranges, a strong ETag, checksum sidecars ({@code .sha256} computed once
 * at build time, {@code .sha512} on its first request) and a Sigstore bundle ({@code .sigstore.json}) signing that SHA-256;
 * or, with {@code factory.cache.s3.redirect=true}, a GET is sent to a
 * presigned S3 URL (when {@link DownloadRedirects} allows it). HEAD is always answered here, from metadata.
 *
 * <p>A thin adapter over {@link ImageResolver}: the path is parsed once, the resolver says what answers it, and this
 * class maps that to HTTP. The checks run on a worker thread ({@code @Blocking}: they may read the schematic store); a
 * request that has to wait for a build then gives its thread back and is answered when the build is done
 * ({@link AsyncResponses}), or at once with 503 when {@code factory.build.max-waiting} requests already wait.
 */
@Path("/image/{schematic}/{version}/{path}")
public class ImageResource {

    @Inject
    ImageResolver resolver;

    @Inject
    ArtifactResponses responses;

    @Inject
    DownloadRedirects redirects;

    @Inject
    RequestedAssetPaths paths;

    @Inject
    SigningKeys signing;

    @Inject
    BuildStarter starter;

    @Inject
    BuildBoard board;

    static final String ASSET_PATH = """
            Asset path, as the reference names them: `kernel-<arch>`, `cmdline-<platform>-<arch>[-secureboot]`,
            `initramfs-<arch>.xz`, `<platform>-<arch>[-secureboot]-uki.efi` (`-secureboot` needs SecureBoot configured,
            else 400), `<platform>-<arch>.iso` (GRUB before Talos 1.10, GRUB for BIOS + systemd-boot for UEFI from 1.10,
            and from 1.12 as the schematic's `bootloader` says: `dual-boot` (default, also for `none`; `sd-boot` on
            arm64), `sd-boot` (UEFI only) or `grub`), `<platform>-<arch>-secureboot.iso` (UEFI only, signed, with key
            enrollment files); `[<platform>-]installer-<arch>[-secureboot].tar` (the installer image as a docker-save
            tarball, the same image `/v2` serves); disk images `<platform>-<arch>[-secureboot].<raw|qcow2|vhd|ova>`
            with an optional `.xz`, `.zst`, `.gz` or `.tar.gz` (e.g. `metal-amd64.raw.zst`, `gcp-amd64.raw.tar.gz`,
            `vmware-amd64.ova`; layout by version and the schematic's `bootloader`, sector size by its
            `diskImage.sectorSize`). Append `.sha256` or `.sha512` for the checksum line, `.sigstore.json` for a Sigstore
            bundle (v0.3) signing the asset's SHA-256 with the key served at `/oci/cosign/signing-key.pub`. `<arch>` is `amd64`
            (aliases `x86_64`, `i386`) or `arm64`.""";

    static final String PREFER = """
            `respond-async`: when the asset is not cached, answer 202 with `Location: /builds/{id}` at once instead
            of waiting for its build (the build is started or joined); a cached asset is served as without it.""";

    static final String ACCEPTED = """
            Only with `Prefer: respond-async` and an asset that is not cached: its build was started (or joined);
            `Location` is the build (`GET /builds/{id}`, its progress at `/builds/{id}/events`). The body is the build
            as `GET /builds/{id}` shows it; `Preference-Applied: respond-async`.""";

    @GET
    @Blocking
    @Tag(name = ApiDocumentation.IMAGES)
    @Operation(operationId = "getAsset", summary = "Download a boot asset (built on first request, then cached)")
    @Parameter(name = "Prefer", in = ParameterIn.HEADER, description = PREFER, schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "Range", in = ParameterIn.HEADER, description = "A single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`).",
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = """
            The asset, with Content-Length, Content-Disposition, Accept-Ranges, a strong ETag (the SHA-256) and
            `Cache-Control: public, max-age=31536000, immutable`. For `.sha256`/`.sha512` paths a text line
            `<hex>  <filename>`; for `.sigstore.json` paths a Sigstore bundle (v0.3: a message signature over the
            asset's SHA-256, ECDSA P-256, the key named by its hint), verifiable against the file with the key of
            `/oci/cosign/signing-key.pub`, e.g. `openssl dgst -sha256 -verify signing-key.pub -signature sig.der <file>`
            with `sig.der` the base64-decoded `messageSignature.signature`.""",
            content = {
                @Content(mediaType = "application/octet-stream", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = SigstoreBundle.MEDIA_TYPE, schema = @Schema(type = SchemaType.OBJECT))
            })
    @APIResponse(responseCode = "206", description = "The requested byte range (Content-Range tells which).")
    @APIResponse(responseCode = "202", description = ACCEPTED,
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "302", description = """
            Only with `factory.cache.backend=s3` and `factory.cache.s3.redirect=true`, for requests whose Host is not the
            PXE host (that of `factory.external-pxe-url`, which defaults to `factory.external-url`): the asset is
            downloaded from S3 through the presigned URL in `Location`, valid for `factory.cache.s3.redirect-ttl`.
            Checksum and bundle paths (`.sha256`/`.sha512`/`.sigstore.json`) and installer tarballs (streamed from their image's blobs) are never
            redirected.""",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "304", description = "If-None-Match matched the ETag.")
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "416", description = "The range is not satisfiable; Content-Range gives the size.")
    @APIResponse(responseCode = "502", description = ApiDocumentation.UNTRUSTED_SOURCE,
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    @APIResponse(responseCode = "503", description = ApiDocumentation.UNAVAILABLE + """

            Also when a stored artifact was found damaged (it was deleted; the retry rebuilds it). A download already
            under way when S3 fails, or whose stored bytes fail the SHA-256 check, is aborted instead (the connection
            closes before Content-Length bytes arrive).""",
            headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public CompletionStage<Response> get(@Parameter(description = ApiDocumentation.SCHEMATIC_ID) @PathParam("schematic") String schematic,
            @Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version,
            @Parameter(description = ASSET_PATH, example = "initramfs-amd64.xz") @PathParam("path") String path,
            @Parameter(description = "Download name for Content-Disposition (quoted safely).") @QueryParam("filename") String filename,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return serve("GET", schematic, version, path, filename, headers);
    }

    @HEAD
    @Blocking
    @Tag(name = ApiDocumentation.IMAGES)
    @Operation(operationId = "headAsset",
            summary = "Headers of a boot asset (from the cache's metadata when it is cached; builds it otherwise)")
    @Parameter(name = "Prefer", in = ParameterIn.HEADER, description = PREFER, schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body (never redirected).")
    @APIResponse(responseCode = "202", description = ACCEPTED,
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "502", description = "As for GET.")
    @APIResponse(responseCode = "503", description = "As for GET.",
            headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)))
    public CompletionStage<Response> head(@Parameter(description = ApiDocumentation.SCHEMATIC_ID) @PathParam("schematic") String schematic,
            @Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version,
            @Parameter(description = ASSET_PATH, example = "initramfs-amd64.xz") @PathParam("path") String path,
            @Parameter(description = "Download name for Content-Disposition (quoted safely).") @QueryParam("filename") String filename,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return serve("HEAD", schematic, version, path, filename, headers);
    }

    private CompletionStage<Response> serve(String method, String schematic, String version, String rawPath,
            String filename, HttpHeaders headers) {
        AssetPath path = paths.image(schematic, rawPath);
        String range = headers.getHeaderString("Range");
        String ifNoneMatch = headers.getHeaderString(HttpHeaders.IF_NONE_MATCH);
        String ifRange = headers.getHeaderString("If-Range");
        // checksum lines are never redirected, so their requests never look at the Host header
        boolean mayRedirect = false;
        InvalidInputException badHost = null;
        if (path.sidecar().isEmpty()) {
            try {
                mayRedirect = redirects.allowed(method, headers.getHeaderString("Host"));
            } catch (InvalidInputException e) {
                badHost = e; // answered where it always was: after the request's own checks and its build
            }
        }
        if (prefersAsync(headers) && path.sidecar().map(AssetPath.Sidecar::isChecksum).orElse(true)) {
            Optional<TrackedBuild> cold = starter.startIfCold(schematic, version, path);
            if (cold.isPresent()) {
                return CompletableFuture.completedFuture(accepted(cold.get()));
            }
        }
        ImageRequest request = new ImageRequest(schematic, version, path, Optional.ofNullable(filename), mayRedirect);
        InvalidInputException refusal = badHost;
        return AsyncResponses.when(resolver.resolve(request), resolved -> {
            if (refusal != null) {
                throw refusal; // AsyncResponses releases what was resolved
            }
            return respond(method, resolved, range, ifNoneMatch, ifRange);
        });
    }

    /** Whether the client asked not to wait ({@code Prefer: respond-async}, RFC 7240; several may be listed). */
    private static boolean prefersAsync(HttpHeaders headers) {
        String prefer = headers.getHeaderString("Prefer"); // repeated headers come joined with ","
        if (prefer == null) {
            return false;
        }
        for (String preference : prefer.split(",")) {
            if (preference.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals("respond-async")) {
                return true;
            }
        }
        return false;
    }

    private Response accepted(TrackedBuild build) {
        return Response.accepted(board.status(build)).location(URI.create("/builds/" + build.id()))
                .header("Preference-Applied", "respond-async")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The answer for a resolved image, which this method owns: released here, or by the body once written. */
    private Response respond(String method, ResolvedImage resolved, String range, String ifNoneMatch, String ifRange) {
        if (resolved instanceof ResolvedImage.Bytes bytes) {
            // from here the response owns the lease and releases it once the body is written
            return responses.serve(method, range, ifNoneMatch, ifRange, bytes.asset().lease(),
                    bytes.asset().filename(), bytes.asset().contentType());
        }
        resolved.close();
        if (resolved instanceof ResolvedImage.Checksum checksum) {
            return responses.checksum(method, checksum);
        }
        if (resolved instanceof ResolvedImage.Signed signed) {
            return responses.signatureBundle(method, SigstoreBundle.of(signing.key(), signed.sha256()),
                    signed.attachmentName());
        }
        ResolvedImage.Redirect redirect = (ResolvedImage.Redirect) resolved;
        return Response.status(Response.Status.FOUND).location(redirect.target())
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }
}
