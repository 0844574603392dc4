package dev.imagefactory.http;

import dev.imagefactory.build.DownloadNames;
import dev.imagefactory.build.ResolvedImage;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.DamagedArtifactException;
import dev.imagefactory.cache.LocalFileContent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import dev.imagefactory.signing.SigstoreBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@link CachedArtifact} into the HTTP answer for {@code GET|HEAD /image/...} (reference §1.4 step 10) and its
 * {@code .sha256}/{@code .sha512} checksums (step 8: the SHA-256 recorded at publish time, the SHA-512 hashed on the
 * first request for it, {@code Sha512Sidecars}).
 *
 * <p>Beyond the reference: strong {@code ETag} (the SHA-256), {@code Cache-Control: immutable} (an artifact under a
 * URL never changes: the URL names schematic, version and profile), conditional GET ({@code If-None-Match} → 304),
 * and byte ranges so interrupted downloads resume.
 *
 * <p>Range policy: exactly one range ({@code bytes=a-b}, {@code a-}, {@code -n}) is answered with 206; a range-set
 * with several ranges is answered with the whole artifact (200), which RFC 9110 §14.2 allows and which avoids
 * multipart/byteranges bodies that few clients ask for and overlapping ranges that multiply the bytes sent.
 * Syntactically invalid headers and units other than {@code bytes} are ignored (200). A single range starting at or
 * after the end (or a {@code -0} suffix, or any range of an empty artifact) is 416 with {@code Content-Range: bytes
 * *}/size. {@code If-Range} must equal the strong ETag for the range to apply; a weak tag or a date (there is no
 * {@code Last-Modified}) means the whole artifact.
 *
 * <p>A body from a local file is sent with the kernel's sendfile ({@link FileRegionWriter}, zero-copy, also for a
 * range); a body from elsewhere (S3 object, installer tarball) is copied in 64 KiB chunks on the worker thread (never
 * whole in memory). Both are counted in {@code image_factory_assets_served_bytes_total} as handed to the connection.
 * The content is checked (local file: present, right size) or opened (S3) when the response is built, so a store
 * that cannot be reached or a file evicted meanwhile answers 503 before any header is sent. Served from an
 * {@link ArtifactLease}, the artifact stays in the cache (eviction skips it) until its body has been sent (or the
 * client went away), or until the response is built when there is no body, so the cache's size accounts for files
 * still being read.
 */
@ApplicationScoped
public class ArtifactResponses {

    static final String CACHE_CONTROL = "public, max-age=31536000, immutable";
    static final String CHECKSUM_CONTENT_TYPE = "text/plain; charset=utf-8";
    static final String SERVED_BYTES = "image_factory_assets_served_bytes_total";
    private static final int CHUNK = 64 * 1024;
    private static final long[] UNSATISFIABLE = new long[0];

    private final Counter servedBytes;

    public ArtifactResponses(MeterRegistry registry) {
        this.servedBytes = Counter.builder(SERVED_BYTES)
                .description("Artifact bytes written to clients (bodies of 200 and 206 responses)")
                .register(registry);
    }

    /**
     * The response to a GET or HEAD of the artifact, honouring {@code Range}, {@code If-None-Match} and
     * {@code If-Range}.
     *
     * @param method {@code GET} or {@code HEAD} (anything else is treated as GET)
     * @param filename the download name for {@code Content-Disposition} (quoted safely here); null for none (registry blobs)
     * @param contentType the {@code Content-Type} value
     */
    public Response serve(String method, HttpHeaders headers, CachedArtifact artifact, String filename, String contentType) {
        return serve(method, headers.getHeaderString("Range"), headers.getHeaderString(HttpHeaders.IF_NONE_MATCH),
                headers.getHeaderString("If-Range"), artifact, filename, contentType);
    }

    /**
     * {@link #serve(String, HttpHeaders, CachedArtifact, String, String)} of a leased artifact: this method owns the
     * lease from here and releases it when the body has been written (or the client went away), or at once when
     * there is no body to write.
     */
    public Response serve(String method, HttpHeaders headers, ArtifactLease lease, String filename, String contentType) {
        return serve(method, headers.getHeaderString("Range"), headers.getHeaderString(HttpHeaders.IF_NONE_MATCH),
                headers.getHeaderString("If-Range"), lease, filename, contentType);
    }

    /**
     * {@link #serve(String, HttpHeaders, ArtifactLease, String, String)} with the three headers given directly (null =
     * absent), for answers made after the request's thread has moved on (a build it waited for).
     */
    public Response serve(String method, String range, String ifNoneMatch, String ifRange, ArtifactLease lease,
            String filename, String contentType) {
        boolean handedOver = false;
        try {
            Response response = respond(method, range, ifNoneMatch, ifRange, lease.artifact(), lease, filename,
                    contentType);
            handedOver = response.hasEntity()
                    && (response.getEntity() instanceof StreamingOutput || response.getEntity() instanceof FileRegionBody);
            return response;
        } finally {
            if (!handedOver) {
                lease.close();
            }
        }
    }

    /** {@link #serve(String, HttpHeaders, CachedArtifact, String, String)} with the three headers given directly (null = absent). */
    public Response serve(String method, String range, String ifNoneMatch, String ifRange, CachedArtifact artifact,
            String filename, String contentType) {
        return respond(method, range, ifNoneMatch, ifRange, artifact, null, filename, contentType);
    }

    /** The answer; a body stream closes {@code lease} (if any) when it closes. */
    private Response respond(String method, String range, String ifNoneMatch, String ifRange, CachedArtifact artifact,
            ArtifactLease lease, String filename, String contentType) {
        boolean head = "HEAD".equalsIgnoreCase(method);
        String etag = etagOf(artifact);
        long size = artifact.size();
        if (ifNoneMatch != null && noneMatchHits(ifNoneMatch, etag)) {
            return Response.notModified()
                    .header(HttpHeaders.ETAG, etag)
                    .header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
                    .build();
        }
        long[] slice = null;
        if (range != null && (ifRange == null || ifRangeMatches(ifRange, etag))) {
            slice = parseRange(range, size);
        }
        if (slice == UNSATISFIABLE) {
            Response.ResponseBuilder builder = PlainTextErrors.response(416, "requested range not satisfiable")
                    .header("Content-Range", "bytes */" + size)
                    .header("Accept-Ranges", "bytes");
            if (head) {
                builder.entity(null);
            }
            return builder.build();
        }
        long start = slice == null ? 0 : slice[0];
        long length = slice == null ? size : slice[1] - slice[0] + 1;
        Response.ResponseBuilder builder = Response.status(slice == null ? 200 : 206)
                .header(HttpHeaders.CONTENT_TYPE, contentType)
                .header(HttpHeaders.CONTENT_LENGTH, Long.toString(length))
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.ETAG, etag)
                .header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
        if (filename != null) {
            builder.header("Content-Disposition", contentDisposition(filename));
        }
        if (slice != null) {
            builder.header("Content-Range", "bytes " + slice[0] + "-" + slice[1] + "/" + size);
        }
        if (!head && length > 0) {
            builder.entity(body(artifact, start, length, lease));
        }
        return builder.build();
    }

    /** The {@code .sha256}/{@code .sha512} answer: {@code <hex>  <filename>\n} as {@code text/plain}. */
    public Response checksum(String method, ResolvedImage.Checksum sidecar) {
        return checksum(method, sidecar.line(), sidecar.attachmentName());
    }

    static Response checksum(String method, String line, String attachmentName) {
        return sidecar(method, line.getBytes(StandardCharsets.UTF_8), CHECKSUM_CONTENT_TYPE, attachmentName,
                CACHE_CONTROL);
    }

    /**
     * The {@code <name>.sigstore.json} answer: the Sigstore bundle, as an attachment. Revalidated rather than
     * immutable: the same asset gets another bundle once the signing key is replaced.
     */
    public Response signatureBundle(String method, byte[] bundle, String attachmentName) {
        return sidecar(method, bundle, SigstoreBundle.MEDIA_TYPE, attachmentName, "no-cache");
    }

    private static Response sidecar(String method, byte[] body, String contentType, String attachmentName,
            String cacheControl) {
        Response.ResponseBuilder builder = Response.ok()
                .header(HttpHeaders.CONTENT_TYPE, contentType)
                .header(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length))
                .header("Content-Disposition", contentDisposition(attachmentName))
                .header(HttpHeaders.CACHE_CONTROL, cacheControl);
        if (!"HEAD".equalsIgnoreCase(method)) {
            builder.entity(body);
        }
        return builder.build();
    }

    static String etagOf(CachedArtifact artifact) {
        return "\"" + artifact.sha256() + "\"";
    }

    private Object body(CachedArtifact artifact, long start, long length, ArtifactLease lease) {
        if (artifact.content() instanceof LocalFileContent local) {
            return fileRegion(artifact, local.file(), start, length, lease);
        }
        InputStream opened;
        try {
            opened = artifact.content().open(start, length);
        } catch (NoSuchFileException e) {
            // Evicted between lookup and now (it was the least recently used one): a retry rebuilds it.
            throw new ServiceUnavailableException(1L);
        } catch (DamagedArtifactException e) {
            // Checked before the first byte, found damaged and removed: a retry rebuilds it.
            throw new ServiceUnavailableException(1L);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open artifact sha256:" + artifact.sha256() + ": " + e.getMessage(),
                    e);
        }
        StreamingOutput streamed = output -> {
            // A failure mid-way (storage gone, digest mismatch at the end) propagates, and the server then aborts the
            // connection: with Content-Length already sent, the client sees a short body, never a complete 200.
            try (lease; InputStream in = opened) {
                byte[] buffer = new byte[(int) Math.min(CHUNK, length)];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    // Counted as handed to the connection: a client that aborts leaves at most one chunk
                    // counted but unsent, and a client that has all bytes never sees a lagging counter.
                    servedBytes.increment(n);
                    output.write(buffer, 0, n);
                }
                output.flush();
            }
        };
        return streamed;
    }

    /**
     * A local file's region, sent with sendfile. The file's size is checked against the artifact's now, before any
     * header is sent (the cache checked it at lookup too): a file evicted or changed since answers 503 and a retry
     * rebuilds it. Its SHA-256 is not recomputed here: this process hashed it while publishing it and never writes
     * it again (see README, "Zero-copy downloads").
     */
    private FileRegionBody fileRegion(CachedArtifact artifact, java.nio.file.Path file, long start, long length,
            ArtifactLease lease) {
        long onDisk;
        try {
            onDisk = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ServiceUnavailableException(1L);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open artifact sha256:" + artifact.sha256() + ": " + e.getMessage(),
                    e);
        }
        if (onDisk != artifact.size()) {
            throw new ServiceUnavailableException(1L);
        }
        return new FileRegionBody(file, start, length, lease, servedBytes);
    }

    // ---- conditional requests ----

    /** If-None-Match uses the weak comparison: {@code W/"x"} matches {@code "x"}; {@code *} matches anything. */
    static boolean noneMatchHits(String header, String etag) {
        for (String tag : splitTags(header)) {
            if (tag.equals("*")) {
                return true;
            }
            String opaque = tag.startsWith("W/") ? tag.substring(2) : tag;
            if (opaque.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** If-Range uses the strong comparison; a weak tag or an HTTP date never matches (we send no Last-Modified). */
    static boolean ifRangeMatches(String header, String etag) {
        return header.trim().equals(etag);
    }

    private static List<String> splitTags(String header) {
        List<String> tags = new ArrayList<>();
        for (String part : header.split(",")) {
            String tag = part.trim();
            if (!tag.isEmpty()) {
                tags.add(tag);
            }
        }
        return tags;
    }

    // ---- Range ----

    /**
     * The single byte range {@code {first, last}} (inclusive, clamped to the artifact), {@link #UNSATISFIABLE}, or
     * null when the header is to be ignored (not bytes, malformed, several ranges).
     */
    static long[] parseRange(String header, long size) {
        int eq = header.indexOf('=');
        if (eq < 0 || !header.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
            return null;
        }
        List<String> specs = new ArrayList<>();
        for (String part : header.substring(eq + 1).split(",", -1)) {
            if (!part.isBlank()) {
                specs.add(part.trim());
            }
        }
        if (specs.size() != 1) {
            return null;
        }
        String spec = specs.get(0);
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        if (first.isEmpty()) {
            if (!isDigits(last)) {
                return null;
            }
            long suffix = parseSaturating(last);
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new long[] {Math.max(0, size - suffix), size - 1};
        }
        if (!isDigits(first) || !(last.isEmpty() || isDigits(last))) {
            return null;
        }
        long from = parseSaturating(first);
        long to = last.isEmpty() ? Long.MAX_VALUE : parseSaturating(last);
        if (to < from) {
            return null;
        }
        if (from >= size) {
            return UNSATISFIABLE;
        }
        return new long[] {from, Math.min(to, size - 1)};
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Digits to a long, saturating at {@link Long#MAX_VALUE} (a huge position is just "beyond the end"). */
    private static long parseSaturating(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - d) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + d;
        }
        return value;
    }

    // ---- Content-Disposition ----

    /** {@link DownloadNames#contentDisposition}: the header value for a download name, quoted safely. */
    public static String contentDisposition(String filename) {
        return DownloadNames.contentDisposition(filename);
    }
}
