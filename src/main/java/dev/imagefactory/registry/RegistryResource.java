package dev.imagefactory.registry;

import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.build.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.errors.BuildQueueFullException;
import dev.imagefactory.errors.BuildTimeoutException;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.errors.UntrustedSourceImageException;
import dev.imagefactory.http.ArtifactResponses;
import dev.imagefactory.http.AsyncResponses;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.model.SchematicId;
import dev.imagefactory.schematic.SchematicService;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import dev.imagefactory.http.ApiDocumentation;

/**
 * The OCI distribution API, pull side (image-factory-reference.md §6): {@code /v2/} ping, manifests (a version tag or
 * {@code latest} builds on first request; a digest is served from the store), blobs with ranges, an empty referrers
 * index and tags. Repositories are {@code <image>/<schematic>} ({@link RepositoryName}). Errors use the spec's JSON
 * codes. With a backing registry configured, manifests and blobs are answered with a 307 to it instead. A pull that
 * has to wait for builds (a tag, or a digest being rebuilt) holds no thread meanwhile ({@link AsyncResponses}) and
 * counts as a waiting request ({@link ArtifactBuilds#admitted}).
 *
 * <p>A manifest or blob pulled by digest that the size-bounded cache has evicted is rebuilt when this registry
 * served it before ({@link InstallerImages#restore}); otherwise the answer is {@code MANIFEST_UNKNOWN} /
 * {@code BLOB_UNKNOWN} saying so, and that pulling by tag builds the image again.
 */
@Path("/v2")
public class RegistryResource {

    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String API_VERSION = "registry/2.0";
    private static final String DIGEST_HEADER = "Docker-Content-Digest";
    private static final int DEFAULT_TAG_PAGE = 1000;

    @Inject
    InstallerImages images;

    @Inject
    BlobStore store;

    @Inject
    ArtifactBuilds builds;

    @Inject
    SchematicService schematics;

    @Inject
    Catalog catalog;

    @Inject
    ArtifactResponses responses;

    @Inject
    InstallerSignatures signatures;

    static final String REFERENCE = """
            A Talos version tag (`v1.11.0`; built on first request for every architecture the release has, in parallel),
            `latest` (the newest stable version), or a digest (`sha256:…`, served from the store; a digest of an image served
            before and evicted since rebuilds that image first, same digests; one never served here, or no longer
            buildable, is 404 `MANIFEST_UNKNOWN` saying that pulling by tag builds it). Or a cosign signature tag
            `sha256-<hex>.sig` of an index or platform manifest this repository served: its signature manifest (OCI,
            one simple-signing layer, verifiable with `/oci/cosign/signing-key.pub`); other digests have none (404).""";

    @GET
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "registryPing", summary = "OCI distribution API ping (`/v2/`)")
    @APIResponse(responseCode = "200", description = "`{}` with `Docker-Distribution-API-Version: registry/2.0`.",
            headers = @Header(name = API_VERSION_HEADER, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)))
    public Response ping() {
        return Response.ok("{}").header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    @HEAD
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "registryPingHead", summary = "OCI distribution API ping, headers only")
    @APIResponse(responseCode = "200", description = "No body.")
    public Response pingHead() {
        return Response.ok().header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    @GET
    @Path("{name: .+}/manifests/{reference}")
    @Blocking
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getRegistryManifest", summary = "Pull an installer image's index or manifest")
    @Parameter(name = "Accept", in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.STRING), description = """
            A tag answers with an OCI image index, or with a Docker manifest list when the client accepts that and not
            the OCI index.""")
    @APIResponse(responseCode = "200", description = "The manifest, with its media type as Content-Type, `Docker-Content-Digest` and Content-Length.",
            headers = @Header(name = DIGEST_HEADER, schema = @Schema(type = SchemaType.STRING)),
            content = {
                @Content(mediaType = MediaTypes.OCI_INDEX, schema = @Schema(type = SchemaType.OBJECT)),
                @Content(mediaType = MediaTypes.DOCKER_MANIFEST_LIST, schema = @Schema(type = SchemaType.OBJECT)),
                @Content(mediaType = "application/vnd.oci.image.manifest.v1+json", schema = @Schema(type = SchemaType.OBJECT)),
                @Content(mediaType = "application/vnd.docker.distribution.manifest.v2+json", schema = @Schema(type = SchemaType.OBJECT))
            })
    @APIResponse(responseCode = "307", description = "With `factory.registry.backing.*`, the same manifest by digest in the backing registry.",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "501", ref = "RegistryError")
    @APIResponse(responseCode = "502", ref = "RegistryError", description = ApiDocumentation.UNTRUSTED_SOURCE)
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public CompletionStage<Response> manifest(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = REFERENCE) @PathParam("reference") String reference,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return manifest("GET", name, reference, headers);
    }

    @HEAD
    @Path("{name: .+}/manifests/{reference}")
    @Blocking
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "headRegistryManifest", summary = "Headers of a manifest (a cold tag is built first, as for GET)")
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body.")
    @APIResponse(responseCode = "307", description = "As for GET.",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "501", ref = "RegistryError")
    @APIResponse(responseCode = "502", ref = "RegistryError", description = ApiDocumentation.UNTRUSTED_SOURCE)
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public CompletionStage<Response> manifestHead(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = REFERENCE) @PathParam("reference") String reference,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return manifest("HEAD", name, reference, headers);
    }

    @GET
    @Path("{name: .+}/blobs/{digest}")
    @Blocking
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getRegistryBlob", summary = "Download a layer or config blob (streamed from the store)")
    @Parameter(name = "Range", in = ParameterIn.HEADER, description = "A single byte range.", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The blob, with `Docker-Content-Digest`, Content-Length, Accept-Ranges and ETag.",
            headers = @Header(name = DIGEST_HEADER, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = "application/octet-stream", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "206", description = "The requested range.")
    @APIResponse(responseCode = "307", description = "With a backing registry, the blob there.",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "416", description = "The range is not satisfiable; Content-Range gives the size.")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public CompletionStage<Response> blob(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = "The blob's digest, `sha256:<64 hex>`.") @PathParam("digest") String digest,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return blob("GET", name, digest, headers);
    }

    @HEAD
    @Path("{name: .+}/blobs/{digest}")
    @Blocking
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "headRegistryBlob", summary = "Headers of a blob")
    @APIResponse(responseCode = "200", description = "Same headers as GET, no body.")
    @APIResponse(responseCode = "307", description = "As for GET.",
            headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    @APIResponse(responseCode = "503", ref = "RegistryUnavailable")
    public CompletionStage<Response> blobHead(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = "The blob's digest, `sha256:<64 hex>`.") @PathParam("digest") String digest,
            @Parameter(hidden = true) @Context HttpHeaders headers) {
        return blob("HEAD", name, digest, headers);
    }

    @GET
    @Path("{name: .+}/referrers/{digest}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getRegistryReferrers",
            summary = "Referrers of a manifest (always an empty OCI index; signatures are `sha256-<digest>.sig` tags)")
    @APIResponse(responseCode = "200", description = "An empty OCI image index.",
            content = @Content(mediaType = MediaTypes.OCI_INDEX, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    public Response referrers(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = "The subject manifest's digest.") @PathParam("digest") String digest) {
        knownRepository(name);
        parseDigest(digest, RegistryError.manifestUnknown("invalid subject digest \"" + digest + "\""));
        byte[] empty = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Response.ok(empty).header(HttpHeaders.CONTENT_TYPE, MediaTypes.OCI_INDEX)
                .header(DIGEST_HEADER, Digests.sha256(empty).toString())
                .header(HttpHeaders.CONTENT_LENGTH, empty.length)
                .header(API_VERSION_HEADER, API_VERSION)
                .build();
    }

    /** Every available version can be pulled (built on demand), so they are all listed, with {@code n}/{@code last}. */
    @GET
    @Path("{name: .+}/tags/list")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getRegistryTags", summary = "Tags of a repository (every available Talos version, plus `latest`)")
    @APIResponse(responseCode = "200", description = "`{\"name\": …, \"tags\": […]}`, lexically ordered; a `Link` header when `n` cut the list.",
            headers = @Header(name = "Link", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", ref = "RegistryError")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    public Response tags(@Parameter(description = ApiDocumentation.REGISTRY_NAME, example = "metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba") @PathParam("name") String name,
            @Parameter(description = """
                    Page size, a whole number from 0 up; anything else is refused with 400 `PAGINATION_NUMBER_INVALID`
                    (the distribution registry's code).""", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("n") String nText,
            @Parameter(description = "List the tags after this one.") @QueryParam("last") String last) {
        // taken as text: JAX-RS would answer an unparsable Integer with a bare 404
        Integer n = pageSize(nText);
        RepositoryName repository = knownRepository(name);
        List<String> all = new ArrayList<>();
        catalog.versions().forEach(v -> all.add(v.toString()));
        if (catalog.latestStable().isPresent()) {
            all.add("latest");
        }
        all.sort(String::compareTo); // the distribution spec lists tags in lexical order
        List<String> page = new ArrayList<>();
        int limit = n == null ? DEFAULT_TAG_PAGE : n;
        for (String tag : all) {
            if ((last == null || tag.compareTo(last) > 0) && page.size() < limit) {
                page.add(tag);
            }
        }
        Response.ResponseBuilder builder = Response.ok(tagsJson(repository.repository(), page))
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(API_VERSION_HEADER, API_VERSION);
        boolean more = !page.isEmpty() && all.indexOf(page.get(page.size() - 1)) < all.size() - 1;
        if (more && n != null) {
            builder.header("Link", "</v2/" + repository.repository() + "/tags/list?n=" + limit + "&last="
                    + page.get(page.size() - 1) + ">; rel=\"next\"");
        }
        return builder.build();
    }

    /** {@code n} of a tag list: absent, or a number from 0 up; else 400 as the distribution registry answers it. */
    private static Integer pageSize(String n) {
        if (n == null || n.isEmpty()) {
            return null;
        }
        try {
            int value = Integer.parseInt(n);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw RegistryError.paginationNumberInvalid("invalid number of results requested: n=" + abbreviated(n));
    }

    private static String abbreviated(String text) {
        return text.length() > 32 ? text.substring(0, 32) + "…" : text;
    }

    /** Anything else below {@code /v2/} (uploads, catalog, unknown resources). */
    @GET
    @Path("{path: .+}")
    @Tag(name = ApiDocumentation.REGISTRY)
    @Operation(operationId = "getRegistryOther", summary = "Any other registry route (uploads, catalog) is not served")
    @APIResponse(responseCode = "404", ref = "RegistryError")
    public Response unknown(@Parameter(description = "Anything else below `/v2/`.") @PathParam("path") String path) {
        throw new RegistryError(404, "UNSUPPORTED", "this registry serves pulls of"
                + " <image>/<schematic>/{manifests,blobs,referrers,tags}; nothing at /v2/" + path);
    }

    private CompletionStage<Response> manifest(String method, String name, String reference, HttpHeaders headers) {
        RepositoryName repository = knownRepository(name);
        Optional<Digest> signed = InstallerSignatures.subjectOf(reference);
        if (signed.isPresent()) {
            return CompletableFuture.completedFuture(signatureManifest(method, repository, reference, signed.get()));
        }
        if (reference.startsWith("sha256:")) {
            Digest digest = parseDigest(reference, RegistryError.manifestUnknown("invalid digest \"" + reference + "\""));
            Optional<ArtifactLease> stored = store.lease(digest);
            if (stored.isEmpty() && images.backing().isPresent()) {
                return CompletableFuture.completedFuture(
                        redirect(images.backing().get().location(repository, "manifests", reference)));
            }
            if (stored.isPresent()) {
                try (ArtifactLease manifest = stored.get()) {
                    return CompletableFuture.completedFuture(serveManifest(method, manifest.artifact(), digest));
                }
            }
            RegistryError unknown = RegistryError.manifestUnknown("manifest " + reference + " is not in this registry: "
                    + "it was never built here, or it was evicted from the cache and cannot be rebuilt; pull "
                    + repository.repository() + " by tag (a Talos version or latest) to build it");
            return AsyncResponses.when(restore(digest, unknown), restored -> {
                try (InstallerImages.ServedImage image = restored) {
                    return serveManifest(method, storedWhileHeld(digest), digest);
                }
            }, RegistryResource::translate);
        }
        TalosVersion version = version(reference);
        boolean docker = prefersDockerList(headers);
        CompletableFuture<InstallerImages.ServedImage> image = translated(() ->
                images.backing().isPresent() && backingTag(repository, version).isPresent()
                        ? CompletableFuture.completedFuture(null)
                        : builds.admitted(() -> images.image(repository, version)));
        return AsyncResponses.when(image, built -> {
            try (InstallerImages.ServedImage held = built) {
                return taggedManifest(method, repository, version, held, docker);
            }
        }, RegistryResource::translate);
    }

    /**
     * The cosign signature manifest of {@code subject} ({@code sha256-<hex>.sig}): from the store, or from the backing
     * registry, where it was pushed with the image; unknown when the factory did not serve {@code subject} here.
     */
    private Response signatureManifest(String method, RepositoryName repository, String tag, Digest subject) {
        if (images.backing().isPresent()) {
            return redirect(images.backing().get().location(repository, "manifests", tag));
        }
        try {
            Optional<InstallerSignatures.Signature> signature = signatures.signature(repository, subject);
            if (signature.isEmpty()) {
                throw RegistryError.manifestUnknown("no signature " + tag + ": " + subject + " is not an index or "
                        + "manifest this factory served as " + repository.repository() + " (pull a version tag first)");
            }
            try (InstallerSignatures.Signature held = signature.get()) {
                return serveDocument(method, held.manifest(), MediaTypes.OCI_MANIFEST, held.digest());
            }
        } catch (IOException e) {
            throw RegistryError.unavailable("cannot store the signature " + tag + ": " + e.getMessage(), 10);
        }
    }

    /** Marks the served tag's indexes and manifests as signed, so their {@code .sig} tags answer. */
    private void publishSignatures(RepositoryName repository, InstallerImages.ServedImage image) {
        try {
            signatures.publishServed(repository, image.image());
        } catch (IOException e) {
            throw RegistryError.unavailable("cannot record the signatures of " + repository.repository() + ": "
                    + e.getMessage(), 10);
        }
    }

    /** The answer for a tag whose image is held (null: the backing registry has the tag already). */
    private Response taggedManifest(String method, RepositoryName repository, TalosVersion version,
            InstallerImages.ServedImage image, boolean docker) {
        if (image != null) {
            publishSignatures(repository, image); // before the tag answers: no tag is served without its signatures
        }
        if (images.backing().isPresent()) {
            Digest digest = image == null ? backingTag(repository, version).orElseThrow()
                    : (docker ? image.image().docker() : image.image().oci()).digest();
            return redirect(images.backing().get().location(repository, "manifests", digest.toString()));
        }
        Digest digest = (docker ? image.image().docker() : image.image().oci()).digest();
        return serveManifest(method, storedWhileHeld(digest), digest);
    }

    /**
     * Rebuilds and holds the evicted image {@code digest} belonged to, as a waiting request, or fails with
     * {@code unknown} (never served here, or not given back); refusals found before building are thrown in registry
     * terms.
     */
    private CompletableFuture<InstallerImages.ServedImage> restore(Digest digest, RegistryError unknown) {
        return translated(() -> builds.admitted(() -> images.restore(digest)
                .thenApply(restored -> restored.orElseThrow(() -> unknown))));
    }

    /** Part of an image held by its leased record: it cannot have been evicted. */
    private CachedArtifact storedWhileHeld(Digest digest) {
        return store.get(digest).orElseThrow(() -> new IllegalStateException(
                digest + " is missing from the store although the image holding it is leased"));
    }

    private Optional<Digest> backingTag(RepositoryName repository, TalosVersion version) {
        try {
            return images.backing().get().tagged(repository, version.toString());
        } catch (IOException e) {
            throw RegistryError.unavailable("backing registry unreachable: " + e.getMessage(), 30);
        }
    }

    private Response serveManifest(String method, CachedArtifact stored, Digest digest) {
        byte[] content;
        String mediaType;
        try {
            content = BlobStore.readAll(stored);
            mediaType = OciJson.mediaTypeOf(content, null, digest.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serveDocument(method, content, mediaType, digest);
    }

    private static Response serveDocument(String method, byte[] content, String mediaType, Digest digest) {
        Response.ResponseBuilder builder = Response.ok()
                .header(HttpHeaders.CONTENT_TYPE, mediaType)
                .header(HttpHeaders.CONTENT_LENGTH, content.length)
                .header(DIGEST_HEADER, digest.toString())
                .header(HttpHeaders.ETAG, "\"" + digest + "\"")
                .header(API_VERSION_HEADER, API_VERSION);
        if (!"HEAD".equals(method)) {
            builder.entity(content);
        }
        return builder.build();
    }

    private CompletionStage<Response> blob(String method, String name, String digestText, HttpHeaders headers) {
        RepositoryName repository = knownRepository(name);
        Digest digest = parseDigest(digestText, RegistryError.digestInvalid("invalid digest \"" + digestText + "\""));
        if (images.backing().isPresent()) {
            return CompletableFuture.completedFuture(
                    redirect(images.backing().get().location(repository, "blobs", digest.toString())));
        }
        Optional<ArtifactLease> blob = store.lease(digest);
        if (blob.isPresent()) {
            return CompletableFuture.completedFuture(serveBlob(method, headers, blob.get(), digest));
        }
        RegistryError unknown = RegistryError.blobUnknown("blob " + digest + " is not in this registry: it was never "
                + "built here, or it was evicted from the cache and cannot be rebuilt; pull " + repository.repository()
                + " by tag to build it");
        String range = headers.getHeaderString("Range");
        String ifNoneMatch = headers.getHeaderString(HttpHeaders.IF_NONE_MATCH);
        String ifRange = headers.getHeaderString("If-Range");
        return AsyncResponses.when(restore(digest, unknown), restored -> {
            try (InstallerImages.ServedImage image = restored) {
                ArtifactLease held = store.lease(digest).orElseThrow(() -> new IllegalStateException(
                        digest + " is missing from the store although the image holding it is leased"));
                return withRegistryHeaders(responses.serve(method, range, ifNoneMatch, ifRange, held, null,
                        "application/octet-stream"), digest);
            }
        }, RegistryResource::translate);
    }

    /** The blob's answer; the response releases {@code blob} once its body is written. */
    private Response serveBlob(String method, HttpHeaders headers, ArtifactLease blob, Digest digest) {
        return withRegistryHeaders(responses.serve(method, headers, blob, null, "application/octet-stream"), digest);
    }

    private static Response withRegistryHeaders(Response served, Digest digest) {
        return Response.fromResponse(served).header(DIGEST_HEADER, digest.toString())
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    private static Response redirect(URI location) {
        return Response.temporaryRedirect(location).header(API_VERSION_HEADER, API_VERSION).build();
    }

    /**
     * Checks the name in the reference's order: its shape (404 {@code NAME_UNKNOWN}), then whether the schematic exists
     * (404 {@code NAME_UNKNOWN}, also for a malformed ID, which the reference looks up and does not find), then the
     * image name (400 {@code NAME_INVALID}).
     */
    private RepositoryName knownRepository(String name) {
        String schematic = RepositoryName.schematicOf(name);
        try {
            schematics.get(SchematicId.parse(schematic));
        } catch (NotFoundException | InvalidInputException e) {
            throw RegistryError.nameUnknown("schematic " + schematic + " is not known to this factory");
        }
        return RepositoryName.parse(name);
    }

    /** A version tag ({@code v1.11.0}) or {@code latest}; anything else is an unknown manifest. */
    private TalosVersion version(String reference) {
        if (reference.equals("latest")) {
            return catalog.latestStable().orElseThrow(() -> RegistryError.manifestUnknown(
                    "latest: this factory has no stable Talos version"));
        }
        Optional<TalosVersion> version = reference.startsWith("v") ? TalosVersion.tryParse(reference) : Optional.empty();
        return version.orElseThrow(() -> RegistryError.manifestUnknown("unknown tag \"" + reference
                + "\": tags are Talos versions (v1.11.0) or latest"));
    }

    private static Digest parseDigest(String text, RegistryError error) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw error;
        }
    }

    /** Runs a build-side call, answering its refusals (thrown before any build) in registry terms. */
    private static <T> T translated(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw (RuntimeException) translate(e);
        }
    }

    /** A build-side refusal in registry terms; anything else as it is. */
    private static Throwable translate(Throwable t) {
        if (t instanceof NotFoundException e) {
            return RegistryError.manifestUnknown(e.getMessage());
        } else if (t instanceof InvalidInputException e) {
            return RegistryError.unsupported(e.getMessage());
        } else if (t instanceof NotImplementedYetException e) {
            return new RegistryError(501, "UNSUPPORTED", e.getMessage());
        } else if (t instanceof BuildTimeoutException e) {
            return RegistryError.unavailable(e.getMessage(), 60);
        } else if (t instanceof StorageUnavailableException e) {
            return RegistryError.unavailable(e.getMessage(), 10);
        } else if (t instanceof UntrustedSourceImageException e) {
            return new RegistryError(502, "UNKNOWN", e.getMessage()); // the source's fault: no spec code fits better
        } else if (t instanceof BuildQueueFullException e) {
            return RegistryError.unavailable(e.getMessage(), BuildQueueFullException.RETRY_AFTER_SECONDS);
        }
        return t;
    }

    /** Docker manifest list only when the client accepts it and not the OCI index (old Docker clients). */
    private static boolean prefersDockerList(HttpHeaders headers) {
        List<String> accept = headers.getRequestHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        String all = String.join(",", accept);
        return all.contains(MediaTypes.DOCKER_MANIFEST_LIST) && !all.contains(MediaTypes.OCI_INDEX);
    }

    private static String tagsJson(String name, List<String> tags) {
        com.fasterxml.jackson.databind.node.ObjectNode node = new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode();
        node.put("name", name);
        com.fasterxml.jackson.databind.node.ArrayNode array = node.putArray("tags");
        tags.forEach(array::add);
        return node.toString();
    }
}
