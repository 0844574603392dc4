package dev.imagefactory.registry;

import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.BuildQueueFullException;
import dev.imagefactory.cache.BuildTimeoutException;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.TalosVersion;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.http.ArtifactResponses;
import dev.imagefactory.http.AsyncResponses;
import dev.imagefactory.oci.Digest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.schematic.SchematicId;
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

/**
 * The OCI distribution API, pull side (image-factory-reference.md §6): {@code /v2/} ping, manifests (a version tag or
 * {@code latest} builds on first request; a digest is served from the store), blobs with ranges, an empty referrers
 * index and tags. Repositories are {@code <image>/<schematic>} ({@link RepositoryName}). Errors use the spec's JSON
 * codes. With a backing registry configured, manifests and blobs are answered with a 307 to it instead. A pull of a
 * tag that has to wait for builds holds no thread meanwhile ({@link AsyncResponses}).
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

    @GET
    public Response ping() {
        return Response.ok("{}").header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    @HEAD
    public Response pingHead() {
        return Response.ok().header(HttpHeaders.CONTENT_TYPE, "application/json")
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    @GET
    @Path("{name: .+}/manifests/{reference}")
    @Blocking
    public CompletionStage<Response> manifest(@PathParam("name") String name, @PathParam("reference") String reference,
            @Context HttpHeaders headers) {
        return manifest("GET", name, reference, headers);
    }

    @HEAD
    @Path("{name: .+}/manifests/{reference}")
    @Blocking
    public CompletionStage<Response> manifestHead(@PathParam("name") String name, @PathParam("reference") String reference,
            @Context HttpHeaders headers) {
        return manifest("HEAD", name, reference, headers);
    }

    @GET
    @Path("{name: .+}/blobs/{digest}")
    public Response blob(@PathParam("name") String name, @PathParam("digest") String digest,
            @Context HttpHeaders headers) {
        return blob("GET", name, digest, headers);
    }

    @HEAD
    @Path("{name: .+}/blobs/{digest}")
    public Response blobHead(@PathParam("name") String name, @PathParam("digest") String digest,
            @Context HttpHeaders headers) {
        return blob("HEAD", name, digest, headers);
    }

    @GET
    @Path("{name: .+}/referrers/{digest}")
    public Response referrers(@PathParam("name") String name, @PathParam("digest") String digest) {
        knownRepository(name);
        parseDigest(digest, RegistryError.manifestUnknown("invalid subject digest \"" + digest + "\""));
        byte[] empty = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Response.ok(empty).header(HttpHeaders.CONTENT_TYPE, MediaTypes.OCI_INDEX)
                .header(DIGEST_HEADER, Digest.sha256(empty).toString())
                .header(HttpHeaders.CONTENT_LENGTH, empty.length)
                .header(API_VERSION_HEADER, API_VERSION)
                .build();
    }

    /** Every available version can be pulled (built on demand), so they are all listed, with {@code n}/{@code last}. */
    @GET
    @Path("{name: .+}/tags/list")
    public Response tags(@PathParam("name") String name, @QueryParam("n") Integer n, @QueryParam("last") String last) {
        RepositoryName repository = knownRepository(name);
        List<String> all = new ArrayList<>();
        catalog.versions().forEach(v -> all.add(v.toString()));
        if (catalog.latestStable().isPresent()) {
            all.add("latest");
        }
        all.sort(String::compareTo); // the distribution spec lists tags in lexical order
        List<String> page = new ArrayList<>();
        int limit = n == null || n < 0 ? DEFAULT_TAG_PAGE : n;
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

    /** Anything else below {@code /v2/} (uploads, catalog, unknown resources). */
    @GET
    @Path("{path: .+}")
    public Response unknown(@PathParam("path") String path) {
        throw new RegistryError(404, "UNSUPPORTED", "this registry serves pulls of"
                + " <image>/<schematic>/{manifests,blobs,referrers,tags}; nothing at /v2/" + path);
    }

    private CompletionStage<Response> manifest(String method, String name, String reference, HttpHeaders headers) {
        RepositoryName repository = knownRepository(name);
        if (reference.startsWith("sha256:")) {
            Digest digest = parseDigest(reference, RegistryError.manifestUnknown("invalid digest \"" + reference + "\""));
            Optional<CachedArtifact> stored = store.get(digest);
            if (stored.isEmpty() && images.backing().isPresent()) {
                return CompletableFuture.completedFuture(
                        redirect(images.backing().get().location(repository, "manifests", reference)));
            }
            return CompletableFuture.completedFuture(serveManifest(method, stored.orElseThrow(() ->
                    RegistryError.manifestUnknown("manifest " + reference + " is not known; pull a version tag first")),
                    digest));
        }
        TalosVersion version = version(reference);
        boolean docker = prefersDockerList(headers);
        CompletableFuture<InstallerImages.TaggedImage> image;
        try {
            image = images.backing().isPresent() && backingTag(repository, version).isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : builds.admitted(() -> images.image(repository, version));
        } catch (RuntimeException e) {
            throw (RuntimeException) translate(e);
        }
        return AsyncResponses.when(image, built -> taggedManifest(method, repository, version, built, docker),
                RegistryResource::translate);
    }

    private Response taggedManifest(String method, RepositoryName repository, TalosVersion version,
            InstallerImages.TaggedImage image, boolean docker) {
        if (images.backing().isPresent()) {
            Digest digest = image == null ? backingTag(repository, version).orElseThrow()
                    : (docker ? image.docker() : image.oci()).digest();
            return redirect(images.backing().get().location(repository, "manifests", digest.toString()));
        }
        Digest digest = (docker ? image.docker() : image.oci()).digest();
        CachedArtifact stored = store.get(digest).orElseThrow(() -> new IllegalStateException(
                "index " + digest + " vanished from the store right after it was assembled"));
        return serveManifest(method, stored, digest);
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

    private Response blob(String method, String name, String digestText, HttpHeaders headers) {
        RepositoryName repository = knownRepository(name);
        Digest digest = parseDigest(digestText, RegistryError.digestInvalid("invalid digest \"" + digestText + "\""));
        if (images.backing().isPresent()) {
            return redirect(images.backing().get().location(repository, "blobs", digest.toString()));
        }
        CachedArtifact blob = store.get(digest)
                .orElseThrow(() -> RegistryError.blobUnknown("blob " + digest + " is not known"));
        Response served = responses.serve(method, headers, blob, null, "application/octet-stream");
        return Response.fromResponse(served).header(DIGEST_HEADER, digest.toString())
                .header(API_VERSION_HEADER, API_VERSION).build();
    }

    private static Response redirect(URI location) {
        return Response.temporaryRedirect(location).header(API_VERSION_HEADER, API_VERSION).build();
    }

    /** Parses the name and checks the schematic exists: 400 {@code NAME_INVALID}, 404 {@code NAME_UNKNOWN}. */
    private RepositoryName knownRepository(String name) {
        RepositoryName repository = RepositoryName.parse(name);
        try {
            schematics.get(SchematicId.parse(repository.schematic()));
        } catch (NotFoundException | InvalidInputException e) {
            throw RegistryError.nameUnknown("schematic " + repository.schematic() + " is not known to this factory");
        }
        return repository;
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
