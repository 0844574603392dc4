package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.VerifyingInputStream;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of one registry's OCI distribution API: tag listing, manifest and blob reads (verified against their
 * digests), and pushes (monolithic blob uploads, manifests). Authentication is answered as the registry asks
 * ({@link RegistryAuth}); redirects of reads are followed without sending credentials to other hosts, so blob
 * downloads from pre-signed storage URLs work.
 */
public final class RegistryClient {

    /** A registry's answer to {@code GET /v2/<name>/tags/list}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record TagList(String name, List<String> tags) {
    }

    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 16 << 10;
    private static final int MAX_TAG_PAGES = 10_000;
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    private final RegistryEndpoint endpoint;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration transferTimeout;
    private final RegistryAuth auth;
    private int tagPageSize = 1000;

    /**
     * @param timeout how long a request may wait for the registry's answer
     * @param transferTimeout the same for uploads, whose answer comes only after the whole body was sent
     */
    public RegistryClient(RegistryEndpoint endpoint, Duration timeout, Duration transferTimeout) {
        this.endpoint = endpoint;
        this.base = endpoint.apiBase();
        this.timeout = timeout;
        this.transferTimeout = transferTimeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER) // followed here, to drop credentials on other hosts
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.auth = new RegistryAuth(endpoint, http, timeout, Clock.systemUTC());
    }

    public RegistryEndpoint endpoint() {
        return endpoint;
    }

    /** Page size asked of {@code tags/list}; registries may answer with smaller pages. */
    public RegistryClient tagPageSize(int size) {
        this.tagPageSize = size;
        return this;
    }

    /** A repository of this registry as an {@link ImageSource}, for selecting and flattening images. */
    public Repository repository(String name) {
        return new Repository(checkRepository(name));
    }

    /** {@code GET /v2/}: the registry answers and accepts our credentials (or needs none). */
    public void ping() throws IOException {
        close(exchange(new Call("GET", base, "", timeout)));
    }

    /** All tags of a repository, following {@code Link} pagination; empty when the repository does not exist. */
    public List<String> tags(String repository) throws IOException {
        List<String> tags = new ArrayList<>();
        URI next = base.resolve(checkRepository(repository) + "/tags/list?n=" + tagPageSize);
        for (int page = 0; next != null; page++) {
            if (page >= MAX_TAG_PAGES) {
                throw new OciException(endpoint.host() + "/" + repository + ": more than " + MAX_TAG_PAGES + " tag pages");
            }
            HttpResponse<InputStream> response = exchange(new Call("GET", next, pullScope(repository), timeout)
                    .accepting(200, 404));
            if (response.statusCode() == 404) {
                close(response);
                return List.of();
            }
            byte[] body = readLimited(response, BlobSource.MAX_DOCUMENT_SIZE, next);
            TagList list = OciJson.read(body, TagList.class, "tags of " + endpoint.host() + "/" + repository);
            if (list.tags() != null) {
                tags.addAll(list.tags());
            }
            URI current = next;
            next = response.headers().firstValue("Link").map(NEXT_LINK::matcher).filter(Matcher::find)
                    .map(m -> current.resolve(m.group(1))).orElse(null);
        }
        return tags;
    }

    /** The manifest or index a tag or digest names; empty when the registry does not have it. */
    public Optional<ManifestDocument> manifest(String repository, String reference) throws IOException {
        URI uri = manifestUri(repository, reference);
        HttpResponse<InputStream> response = exchange(new Call("GET", uri, pullScope(repository), timeout)
                .header("Accept", MediaTypes.MANIFEST_ACCEPT)
                .accepting(200, 404));
        if (response.statusCode() == 404) {
            close(response);
            return Optional.empty();
        }
        byte[] content = readLimited(response, BlobSource.MAX_DOCUMENT_SIZE, uri);
        Digest actual = Digests.sha256(content);
        Optional<Digest> expected = reference.contains(":") ? Optional.of(Digest.parse(reference))
                : response.headers().firstValue("Docker-Content-Digest").map(Digest::parse);
        if (expected.isPresent() && !expected.get().equals(Digests.of(expected.get().algorithm(), content))) {
            throw new DigestMismatchException(uri + ": manifest content does not match " + expected.get());
        }
        String mediaType = OciJson.mediaTypeOf(content, contentType(response), uri.toString());
        return Optional.of(new ManifestDocument(new Descriptor(mediaType, expected.orElse(actual), content.length), content));
    }

    /** The descriptor of a tag or digest without fetching the manifest; empty when the registry does not have it. */
    public Optional<Descriptor> head(String repository, String reference) throws IOException {
        URI uri = manifestUri(repository, reference);
        HttpResponse<InputStream> response = exchange(new Call("HEAD", uri, pullScope(repository), timeout)
                .header("Accept", MediaTypes.MANIFEST_ACCEPT)
                .accepting(200, 404));
        close(response);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        Optional<String> digest = response.headers().firstValue("Docker-Content-Digest");
        long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (digest.isEmpty() || size < 0) {
            // not every registry sends the digest on HEAD; the GET computes it
            return manifest(repository, reference).map(ManifestDocument::descriptor);
        }
        return Optional.of(new Descriptor(contentType(response), Digest.parse(digest.get()), size));
    }

    /** A blob's content, verified against {@code descriptor} as it is read. The caller closes it. */
    public VerifyingInputStream blob(String repository, Descriptor descriptor) throws IOException {
        URI uri = base.resolve(checkRepository(repository) + "/blobs/" + descriptor.digest());
        HttpResponse<InputStream> response = exchange(new Call("GET", uri, pullScope(repository), timeout));
        return BlobSource.verifying(response.body(), descriptor, endpoint.host() + "/" + repository + "@"
                + descriptor.digest());
    }

    /** Downloads a blob to {@code target} (written beside it, verified, then renamed into place). */
    public void downloadBlob(String repository, Descriptor descriptor, Path target) throws IOException {
        AtomicFiles.write(target, out -> {
            try (VerifyingInputStream in = blob(repository, descriptor)) {
                in.transferTo(out);
                in.verifyToEnd();
            }
        });
    }

    /** A blob's size from {@code HEAD} (the distribution spec requires Content-Length there); empty when absent. */
    public Optional<Long> blobSize(String repository, Digest digest) throws IOException {
        URI uri = base.resolve(checkRepository(repository) + "/blobs/" + digest);
        HttpResponse<InputStream> response = exchange(new Call("HEAD", uri, pullScope(repository), timeout)
                .accepting(200, 404));
        close(response);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(response.headers().firstValueAsLong("Content-Length").orElseThrow(() -> new OciException(
                uri + ": the registry sent no Content-Length for the blob")));
    }

    public boolean hasBlob(String repository, Digest digest) throws IOException {
        URI uri = base.resolve(checkRepository(repository) + "/blobs/" + digest);
        HttpResponse<InputStream> response = exchange(new Call("HEAD", uri, pullScope(repository), timeout)
                .accepting(200, 404));
        close(response);
        return response.statusCode() == 200;
    }

    /**
     * Uploads a blob in one request (POST then PUT with the digest) unless the repository has it already.
     *
     * @param content opens the blob's bytes; called again if the upload has to be retried after authenticating
     */
    public void pushBlob(String repository, Descriptor descriptor, Supplier<InputStream> content) throws IOException {
        if (hasBlob(repository, descriptor.digest())) {
            return;
        }
        String scope = pushScope(repository);
        URI start = base.resolve(checkRepository(repository) + "/blobs/uploads/");
        HttpResponse<InputStream> started = exchange(new Call("POST", start, scope, timeout)
                .body(BodyPublishers::noBody).accepting(202));
        close(started);
        URI location = started.headers().firstValue("Location").map(start::resolve).orElseThrow(
                () -> new RegistryException("POST " + start + ": upload started without a Location", 202));
        String separator = location.getRawQuery() == null ? "?" : "&";
        URI finish = URI.create(location + separator + "digest=" + descriptor.digest());
        close(exchange(new Call("PUT", finish, scope, transferTimeout)
                .header("Content-Type", "application/octet-stream")
                .body(() -> BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(content), descriptor.size()))
                .accepting(201)));
    }

    public void pushBlob(String repository, Descriptor descriptor, Path file) throws IOException {
        pushBlob(repository, descriptor, () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Stores a manifest or index under a tag or its digest; returns the digest the registry computed. */
    public Digest pushManifest(String repository, String reference, String mediaType, byte[] content) throws IOException {
        URI uri = manifestUri(repository, reference);
        HttpResponse<InputStream> response = exchange(new Call("PUT", uri, pushScope(repository), timeout)
                .header("Content-Type", mediaType)
                .body(() -> BodyPublishers.ofByteArray(content))
                .accepting(201));
        close(response);
        Digest digest = Digests.sha256(content);
        Optional<Digest> stored = response.headers().firstValue("Docker-Content-Digest").map(Digest::parse);
        if (stored.isPresent() && !stored.get().equals(digest)) {
            throw new DigestMismatchException(uri + ": registry stored " + stored.get() + " for content " + digest);
        }
        return digest;
    }

    /**
     * Copies an image (an index with its manifests, or one manifest) from {@code source} into {@code repository}:
     * blobs the repository lacks, then manifests by digest, then {@code root} under {@code tag}.
     */
    public void pushImage(ImageSource source, Descriptor root, String repository, String tag) throws IOException {
        byte[] content = pushTree(source, root, repository, 0);
        pushManifest(repository, tag, OciJson.mediaTypeOf(content, root.mediaType(), tag), content);
    }

    private byte[] pushTree(ImageSource source, Descriptor descriptor, String repository, int depth) throws IOException {
        if (depth > 4) {
            throw new OciException(descriptor.digest() + ": image indexes nested too deep");
        }
        byte[] content = source.readManifest(descriptor);
        String where = descriptor.digest().toString();
        String mediaType = OciJson.mediaTypeOf(content, descriptor.mediaType(), where);
        if (MediaTypes.isIndex(mediaType)) {
            for (Descriptor child : OciJson.index(content, where).manifests()) {
                pushTree(source, child, repository, depth + 1);
            }
        } else {
            ImageManifest manifest = OciJson.manifest(content, where);
            List<Descriptor> blobs = new ArrayList<>(manifest.layers());
            blobs.add(0, manifest.config());
            for (Descriptor blob : blobs) {
                pushBlob(repository, blob, () -> {
                    try {
                        return source.open(blob);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        pushManifest(repository, descriptor.digest().toString(), mediaType, content);
        return content;
    }

    /** One repository of this registry; manifests come from the manifest endpoint, blobs from the blob endpoint. */
    public final class Repository implements ImageSource {
        private final String name;

        private Repository(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public RegistryClient client() {
            return RegistryClient.this;
        }

        @Override
        public VerifyingInputStream open(Descriptor descriptor) throws IOException {
            return blob(name, descriptor);
        }

        @Override
        public byte[] readManifest(Descriptor descriptor) throws IOException {
            ManifestDocument document = manifest(name, descriptor.digest().toString()).orElseThrow(
                    () -> new RegistryException(endpoint.host() + "/" + name + "@" + descriptor.digest()
                            + ": manifest not found", 404));
            if (document.content().length != descriptor.size()) {
                throw new DigestMismatchException(endpoint.host() + "/" + name + "@" + descriptor.digest() + " has "
                        + document.content().length + " bytes, expected " + descriptor.size());
            }
            return document.content();
        }

        /** The image manifest of {@code reference} (tag or digest) for {@code platform}. */
        public Optional<ResolvedManifest> resolve(String reference, Platform platform) throws IOException {
            Optional<ManifestDocument> document = manifest(name, reference);
            if (document.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(ManifestSelector.select(this, document.get().descriptor(), document.get().content(),
                    platform));
        }

        @Override
        public String toString() {
            return endpoint.host() + "/" + name;
        }
    }

    /** A request: a fresh body publisher per attempt, the statuses the caller handles itself. */
    private record Call(String method, URI uri, String scope, Duration timeout, List<String[]> headers,
            Supplier<BodyPublisher> body, Set<Integer> accepted) {

        Call(String method, URI uri, String scope, Duration timeout) {
            this(method, uri, scope, timeout, List.of(), null, Set.of(200));
        }

        Call header(String name, String value) {
            List<String[]> more = new ArrayList<>(headers);
            more.add(new String[] {name, value});
            return new Call(method, uri, scope, timeout, more, body, accepted);
        }

        Call body(Supplier<BodyPublisher> publisher) {
            return new Call(method, uri, scope, timeout, headers, publisher, accepted);
        }

        Call accepting(Integer... statuses) {
            return new Call(method, uri, scope, timeout, headers, body, Set.of(statuses));
        }
    }

    /** Sends a call, answering one authentication challenge and following redirects of reads. */
    private HttpResponse<InputStream> exchange(Call call) throws IOException {
        URI uri = call.uri();
        Optional<String> authorization = auth.authorization(call.scope());
        boolean challenged = false;
        for (int redirects = 0; ; ) {
            boolean sameRegistry = sameOrigin(uri, call.uri());
            HttpResponse<InputStream> response = send(call, uri, sameRegistry ? authorization : Optional.empty());
            int status = response.statusCode();
            if (status == 401 && sameRegistry && !challenged) {
                close(response);
                authorization = Optional.of(auth.answer(response.headers().allValues("WWW-Authenticate"), call.scope(),
                        call.method() + " " + uri));
                challenged = true;
                continue;
            }
            if (status >= 300 && status < 400 && status != 304
                    && (call.method().equals("GET") || call.method().equals("HEAD"))) {
                close(response);
                URI from = uri;
                uri = response.headers().firstValue("Location").map(from::resolve).orElseThrow(() ->
                        new RegistryException(call.method() + " " + from + ": " + status + " without Location", status));
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException(call.method() + " " + call.uri() + ": too many redirects", status);
                }
                continue;
            }
            if (call.accepted().contains(status)) {
                return response;
            }
            byte[] body = call.method().equals("HEAD") ? new byte[0] : readErrorBody(response);
            throw new RegistryException(call.method() + " " + uri + ": " + status + " " + RegistryErrors.describe(body),
                    status);
        }
    }

    private HttpResponse<InputStream> send(Call call, URI uri, Optional<String> authorization) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(call.timeout());
        BodyPublisher body = call.body() == null ? BodyPublishers.noBody() : call.body().get();
        request.method(call.method(), body);
        for (String[] header : call.headers()) {
            request.header(header[0], header[1]);
        }
        authorization.ifPresent(value -> request.header("Authorization", value));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(call.method() + " " + uri + " interrupted");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IOException e) {
            throw new RegistryException(call.method() + " " + uri + ": " + describe(e), 0);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    private URI manifestUri(String repository, String reference) {
        boolean digest = reference.contains(":");
        if (digest) {
            Digest.parse(reference); // refuses what could not be a digest
        } else if (!TAG.matcher(reference).matches()) {
            throw new IllegalArgumentException("invalid tag \"" + reference + "\"");
        }
        return base.resolve(checkRepository(repository) + "/manifests/" + reference);
    }

    private static String checkRepository(String repository) {
        if (!REPOSITORY.matcher(Objects.requireNonNull(repository, "repository")).matches()) {
            throw new IllegalArgumentException("invalid repository name \"" + repository + "\"");
        }
        return repository;
    }

    private static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    private static String pushScope(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type")
                .map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse(null);
    }

    private static byte[] readLimited(HttpResponse<InputStream> response, int limit, URI uri) throws IOException {
        try (InputStream in = response.body()) {
            byte[] content = in.readNBytes(limit + 1);
            if (content.length > limit) {
                throw new OciException(uri + ": answer larger than " + limit + " bytes");
            }
            return content;
        }
    }

    private static byte[] readErrorBody(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // nothing left to read from it
        }
    }
}
