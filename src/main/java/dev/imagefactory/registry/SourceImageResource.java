package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.catalog.ReleaseDataException;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.catalog.SourceRepository;
import dev.imagefactory.http.ApiDocumentation;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.ManifestDocument;
import dev.imagefactory.content.VerifyingInputStream;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The source image proxy (reference v1.5, image-factory-reference.md §6.1): {@code /v2/siderolabs/<component>/…}
 * serves the release source's own images read-only ({@link SourceRepository}), so {@code talosctl image
 * cache-create} and mirroring tools pull everything a Talos version needs from the factory. Pushes are refused with
 * 405 {@code UNSUPPORTED} before routing ({@link SourceImagePushRefusal}). Unlike upstream this also works with a registry reached over TLS or with credentials: the
 * factory pulls with its own client and streams, instead of reverse-proxying the client's request.
 */
@Path("/v2/siderolabs/{component: imager|installer-base|installer|extensions|overlays|talosctl-all}")
public class SourceImageResource {

    private static final String DIGEST_HEADER = "Docker-Content-Digest";
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final String COMPONENT = "`imager`, `installer-base`, `installer`, `extensions`, `overlays` or `talosctl-all`.";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ReleaseSource releases;

    @GET
    @Path("manifests/{reference}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getSourceManifest", summary = "Pull a release source image's manifest or index (read-only proxy)")
    @APIResponse(responseCode = "200", description = "The manifest as the release has it, with its media type, `Docker-Content-Digest` and Content-Length.",
            headers = @Header(name = DIGEST_HEADER, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = "application/vnd.oci.image.index.v1+json", schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public Response manifest(@Parameter(description = COMPONENT) @PathParam("component") String component,
            @Parameter(description = "A tag (the Talos version, e.g. `v1.11.0`) or a digest.") @PathParam("reference") String reference) {
        return manifest("GET", component, reference);
    }

    @HEAD
    @Path("manifests/{reference}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "headSourceManifest", summary = "Headers of a release source image's manifest")
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body.")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public Response manifestHead(@Parameter(description = COMPONENT) @PathParam("component") String component,
            @Parameter(description = "A tag or a digest.") @PathParam("reference") String reference) {
        return manifest("HEAD", component, reference);
    }

    @GET
    @Path("blobs/{digest}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getSourceBlob", summary = "Download a release source image's blob (streamed, checked against its digest)")
    @APIResponse(responseCode = "200", description = "The blob, with `Docker-Content-Digest` and Content-Length.",
            content = @Content(mediaType = "application/octet-stream", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public Response blob(@Parameter(description = COMPONENT) @PathParam("component") String component,
            @Parameter(description = "The blob's digest, `sha256:<64 hex>`.") @PathParam("digest") String digest) {
        return blob("GET", component, digest);
    }

    @HEAD
    @Path("blobs/{digest}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "headSourceBlob", summary = "Headers of a release source image's blob")
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body.")
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public Response blobHead(@Parameter(description = COMPONENT) @PathParam("component") String component,
            @Parameter(description = "The blob's digest, `sha256:<64 hex>`.") @PathParam("digest") String digest) {
        return blob("HEAD", component, digest);
    }

    @GET
    @Path("tags/list")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getSourceTags", summary = "Tags of a release source image repository")
    @APIResponse(responseCode = "200", description = "`{\"name\": \"siderolabs/<component>\", \"tags\": […]}`, sorted.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public Response tags(@Parameter(description = COMPONENT) @PathParam("component") String component) {
        List<String> tags = call(() -> repository(component).tags());
        ObjectNode body = JSON.createObjectNode();
        body.put("name", "siderolabs/" + component);
        tags.forEach(body.putArray("tags")::add);
        return Response.ok(body.toString()).header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(RegistryResource.API_VERSION_HEADER, RegistryResource.API_VERSION).build();
    }

    @GET
    @Path("{rest: .+}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getSourceOther", summary = "Anything else below a source image repository is not served")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    public Response other(@Parameter(description = COMPONENT) @PathParam("component") String component,
            @Parameter(description = "Anything else.") @PathParam("rest") String rest) {
        throw new RegistryError(404, "UNSUPPORTED", "siderolabs/" + component + " serves manifests, blobs and"
                + " tags/list; nothing at " + rest);
    }

    private Response manifest(String method, String component, String reference) {
        RegistryError unknown = RegistryError.manifestUnknown("siderolabs/" + component + ": no manifest " + reference);
        if (!TAG.matcher(reference).matches()) {
            parseDigest(reference, unknown);
        }
        ManifestDocument document = call(() -> repository(component).manifest(reference)).orElseThrow(() -> unknown);
        Response.ResponseBuilder builder = Response.ok()
                .header(HttpHeaders.CONTENT_TYPE, document.descriptor().mediaType())
                .header(HttpHeaders.CONTENT_LENGTH, document.content().length)
                .header(DIGEST_HEADER, document.digest().toString())
                .header(HttpHeaders.ETAG, "\"" + document.digest() + "\"")
                .header(RegistryResource.API_VERSION_HEADER, RegistryResource.API_VERSION);
        if (!"HEAD".equals(method)) {
            builder.entity(document.content());
        }
        return builder.build();
    }

    private Response blob(String method, String component, String digestText) {
        Digest digest = parseDigest(digestText, RegistryError.digestInvalid("invalid digest \"" + digestText + "\""));
        SourceRepository repository = repository(component);
        long size = call(() -> repository.blobSize(digest)).orElseThrow(() -> RegistryError.blobUnknown(
                "siderolabs/" + component + ": no blob " + digest));
        Response.ResponseBuilder builder = Response.ok()
                .header(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .header(HttpHeaders.CONTENT_LENGTH, Long.toString(size))
                .header(DIGEST_HEADER, digest.toString())
                .header(RegistryResource.API_VERSION_HEADER, RegistryResource.API_VERSION);
        if (!"HEAD".equals(method)) {
            // opened here, so an unreachable registry is still a 503 rather than a broken 200
            VerifyingInputStream in = call(() -> repository.openBlob(digest, size));
            StreamingOutput body = out -> {
                try (VerifyingInputStream content = in) {
                    content.transferTo(out);
                    content.verifyToEnd();
                }
            };
            builder.entity(body);
        }
        return builder.build();
    }

    private SourceRepository repository(String component) {
        return releases.sourceRepository(component).orElseThrow(() -> RegistryError.nameUnknown(
                "siderolabs/" + component + " is not kept by this factory's release source"));
    }

    /** 405 {@code UNSUPPORTED} in the spec's JSON, with the {@code Allow} RFC 9110 requires. */
    static Response readOnly(String component) {
        RegistryError refused = new RegistryError(405, "UNSUPPORTED", "siderolabs/" + component
                + " is a read-only mirror of the release source: pushes and deletes are not accepted");
        return Response.fromResponse(RegistryErrorMapper.response(refused)).header("Allow", "GET, HEAD").build();
    }

    private static Digest parseDigest(String text, RegistryError error) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw error;
        }
    }

    @FunctionalInterface
    private interface SourceCall<T> {
        T call() throws IOException;
    }

    /** A read of the release source; a registry or disk that cannot answer is 503 with Retry-After. */
    private static <T> T call(SourceCall<T> read) {
        try {
            return read.call();
        } catch (IOException | UncheckedIOException | ReleaseDataException e) {
            throw RegistryError.unavailable("the release source cannot answer: " + e.getMessage(), 10);
        }
    }
}
