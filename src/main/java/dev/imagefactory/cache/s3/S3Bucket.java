package dev.imagefactory.cache.s3;

import dev.imagefactory.errors.StorageUnavailableException;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.HttpUtils;
import io.minio.http.Method;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The few S3 operations the factory needs, on one bucket, through minio-java. "Absent" (404) and "precondition
 * failed" (412) are ordinary answers; anything else that goes wrong (server unreachable, 5xx, refused credentials)
 * becomes {@link StorageUnavailableException}, i.e. a 503 for the request that needed it.
 *
 * <p>Two clients share one connection pool: metadata calls (stat, small objects, leases, the readiness check) are
 * bounded as a whole by {@code factory.cache.s3.timeout} (OkHttp's call timeout), so a hung server fails them quickly;
 * artifact streams (download ranges, multipart uploads) have no total bound, only the idle bound
 * {@code factory.cache.s3.stream-idle-timeout} on each read and write.
 */
public class S3Bucket {

    /** Multipart part size: uploads stream from the file one part at a time, never the whole artifact in memory. */
    static final long PART_SIZE = 16L * 1024 * 1024;
    private static final int MAX_CALLS = 1024;

    private final MinioClient client;
    private final MinioClient streams;
    private final String bucket;
    private final String endpoint;

    public S3Bucket(S3Settings settings) {
        long timeout = settings.timeout().toMillis();
        long idle = settings.streamIdleTimeout().toMillis();
        // minio-java runs every call through OkHttp's dispatcher, which by default lets 5 calls per host run and
        // queues the rest with their call timeout not yet started: with a hung server, queued calls would wait
        // many timeouts. Callers are bounded elsewhere (request and build threads), so let them all run.
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(MAX_CALLS);
        dispatcher.setMaxRequestsPerHost(MAX_CALLS);
        OkHttpClient metadata = HttpUtils.newDefaultHttpClient(timeout, timeout, timeout).newBuilder()
                .dispatcher(dispatcher).callTimeout(timeout, TimeUnit.MILLISECONDS).build();
        OkHttpClient data = metadata.newBuilder().callTimeout(0, TimeUnit.MILLISECONDS)
                .readTimeout(idle, TimeUnit.MILLISECONDS).writeTimeout(idle, TimeUnit.MILLISECONDS).build();
        this.client = client(settings, metadata);
        this.streams = client(settings, data);
        this.bucket = settings.bucket();
        this.endpoint = settings.endpoint();
    }

    private static MinioClient client(S3Settings settings, OkHttpClient http) {
        MinioClient c = MinioClient.builder().endpoint(settings.endpoint()).region(settings.region())
                .credentials(settings.accessKey(), settings.secretKey()).httpClient(http).build();
        if (settings.pathStyle()) {
            c.disableVirtualStyleEndpoint();
        } else {
            c.enableVirtualStyleEndpoint();
        }
        return c;
    }

    public String name() {
        return bucket;
    }

    /**
     * Checks at start-up that the credentials work and the bucket exists, creating it when it does not.
     *
     * @throws IllegalStateException with a message naming the problem (the service must not start half-configured)
     */
    public void ensureUsable() {
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                } catch (ErrorResponseException e) {
                    if (!e.errorResponse().code().equals("BucketAlreadyOwnedByYou")) {
                        throw new IllegalStateException("S3 bucket " + bucket + " does not exist at " + endpoint
                                + " and could not be created (" + e.errorResponse().code() + ": "
                                + e.errorResponse().message() + "); create it or allow s3:CreateBucket", e);
                    }
                }
            }
            // Listing is not enough to prove write access: round-trip a small probe object.
            put(".image-factory-probe", new byte[0]);
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            String hint = switch (code) {
                case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch" ->
                        "check factory.cache.s3.access-key and factory.cache.s3.secret-key";
                default -> "check the factory.cache.s3.* settings";
            };
            throw new IllegalStateException("S3 at " + endpoint + " refused access to bucket " + bucket + " (" + code
                    + ": " + e.errorResponse().message() + "); " + hint, e);
        } catch (IllegalStateException e) {
            throw e;
        } catch (StorageUnavailableException e) {
            throw new IllegalStateException("S3 at " + endpoint + " refused access to bucket " + bucket + ": "
                    + e.getCause().getMessage() + "; check the factory.cache.s3.* settings", e);
        } catch (Exception e) {
            throw new IllegalStateException("S3 at " + endpoint + " cannot be used (" + e + "); check "
                    + "factory.cache.s3.endpoint and that the server is reachable", e);
        }
    }

    /** A cheap round trip for the readiness probe. */
    public boolean reachable() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            return false;
        }
    }

    public Optional<StatObjectResponse> stat(String object) {
        try {
            return Optional.of(client.statObject(StatObjectArgs.builder().bucket(bucket).object(object).build()));
        } catch (ErrorResponseException e) {
            if (isAbsent(e)) {
                return Optional.empty();
            }
            throw unavailable("stat", object, e);
        } catch (Exception e) {
            throw unavailable("stat", object, e);
        }
    }

    /** {@code length} bytes from {@code offset}; empty when the object is gone. Reading may fail with IOException. */
    public Optional<InputStream> get(String object, long offset, long length) {
        try {
            return Optional.of(streams.getObject(GetObjectArgs.builder().bucket(bucket).object(object)
                    .offset(offset).length(length).build()));
        } catch (ErrorResponseException e) {
            if (isAbsent(e)) {
                return Optional.empty();
            }
            throw unavailable("read", object, e);
        } catch (Exception e) {
            throw unavailable("read", object, e);
        }
    }

    /** A small object whole, with its ETag; empty when absent. */
    public Optional<Stored> read(String object) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(object).build())) {
            String etag = ((io.minio.GetObjectResponse) in).headers().get("ETag");
            return Optional.of(new Stored(in.readAllBytes(), etag));
        } catch (ErrorResponseException e) {
            if (isAbsent(e)) {
                return Optional.empty();
            }
            throw unavailable("read", object, e);
        } catch (Exception e) {
            throw unavailable("read", object, e);
        }
    }

    /** A small object's bytes and ETag. */
    public record Stored(byte[] bytes, String etag) {
    }

    /**
     * Uploads a file (multipart when large, streamed from disk part by part) with its user metadata. S3 makes an
     * object visible only once the upload completed, so a failure leaves nothing readable under {@code object}.
     */
    public void upload(String object, Path file, String contentType, Map<String, String> metadata) {
        try {
            streams.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(object)
                    .filename(file.toString(), PART_SIZE).contentType(contentType).userMetadata(metadata).build());
        } catch (Exception e) {
            throw unavailable("upload", object, e);
        }
    }

    /** Writes a small object unconditionally. */
    public void put(String object, byte[] bytes) {
        try {
            client.putObject(small(object, bytes, Map.of()));
        } catch (Exception e) {
            throw unavailable("write", object, e);
        }
    }

    /** Creates a small object only if none exists ({@code If-None-Match: *}); false when one does (412). */
    public boolean create(String object, byte[] bytes) {
        return conditionalPut(object, bytes, Map.of("If-None-Match", "*"));
    }

    /** Replaces a small object only if it still has {@code etag} ({@code If-Match}); false when it changed. */
    public boolean replace(String object, byte[] bytes, String etag) {
        return conditionalPut(object, bytes, Map.of("If-Match", etag));
    }

    private boolean conditionalPut(String object, byte[] bytes, Map<String, String> condition) {
        try {
            client.putObject(small(object, bytes, condition));
            return true;
        } catch (ErrorResponseException e) {
            if (e.response().code() == 412 || e.response().code() == 409 || isAbsent(e)) {
                return false; // 409: a concurrent conditional write won (AWS); 404: If-Match on a vanished object
            }
            throw unavailable("write", object, e);
        } catch (Exception e) {
            throw unavailable("write", object, e);
        }
    }

    private PutObjectArgs small(String object, byte[] bytes, Map<String, String> headers) {
        return PutObjectArgs.builder().bucket(bucket).object(object).headers(headers)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build();
    }

    public void delete(String object) {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(object).build());
        } catch (Exception e) {
            throw unavailable("delete", object, e);
        }
    }

    /** A presigned GET URL, with response header overrides such as {@code response-content-disposition}. */
    public String presignedGet(String object, Duration ttl, Map<String, String> responseHeaders) {
        try {
            return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET).bucket(bucket)
                    .object(object).expiry((int) ttl.toSeconds()).extraQueryParams(responseHeaders).build());
        } catch (Exception e) {
            throw unavailable("presign", object, e);
        }
    }

    private static boolean isAbsent(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return e.response().code() == 404 || "NoSuchKey".equals(code) || "NoSuchObject".equals(code);
    }

    private StorageUnavailableException unavailable(String operation, String object, Exception e) {
        String detail = e instanceof ErrorResponseException r
                ? r.response().code() + " " + r.errorResponse().code() + ": " + r.errorResponse().message()
                : e instanceof IOException ? e.toString() : String.valueOf(e);
        return new StorageUnavailableException("S3 " + operation + " of " + object + " in bucket " + bucket
                + " failed: " + detail, e);
    }
}
