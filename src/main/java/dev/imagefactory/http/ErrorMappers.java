package dev.imagefactory.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.imagefactory.errors.BuildQueueFullException;
import dev.imagefactory.errors.BuildTimeoutException;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.LocalStorageException;
import dev.imagefactory.errors.LocalStorageFaults;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.errors.PayloadTooLargeException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.errors.UntrustedSourceImageException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every exception that escapes a JAX-RS resource to the plain-text error format. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private final JaxRsRoutes routes;

    public ErrorMappers(JaxRsRoutes routes) {
        this.routes = routes;
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e) {
        return PlainTextErrors.response(400, e.getMessage()).build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return PlainTextErrors.response(404, e.getMessage()).build();
    }

    /** The build ran out of its time: the service is overloaded or a tool hung; the client may retry later. */
    @ServerExceptionMapper
    public Response buildTimeout(BuildTimeoutException e) {
        LOG.warn(e.getMessage());
        return PlainTextErrors.response(503, e.getMessage()).header("Retry-After", "60").build();
    }

    /** Too many requests wait for builds ({@code factory.build.max-waiting}): busy, the client may retry later. */
    @ServerExceptionMapper
    public Response buildQueueFull(BuildQueueFullException e) {
        LOG.warn(e.getMessage());
        return PlainTextErrors.response(503, e.getMessage())
                .header("Retry-After", Integer.toString(BuildQueueFullException.RETRY_AFTER_SECONDS)).build();
    }

    /** S3 is unreachable or failing: nothing is wrong with the request, which succeeds once S3 is back. */
    @ServerExceptionMapper
    public Response storageUnavailable(StorageUnavailableException e) {
        LOG.warn(e.getMessage());
        return PlainTextErrors.response(503, "storage is unavailable, retry later").header("Retry-After", "10").build();
    }

    /** The local disk is full, read-only or refuses access: the reason in one line, the details in the log, once. */
    @ServerExceptionMapper
    public Response localStorageUnavailable(LocalStorageException e) {
        e.logOnce(LOG);
        return PlainTextErrors.response(503, e.getMessage()).header("Retry-After", "30").build();
    }

    /** A source image failed its signature check: the release source's problem, not the request's (502). */
    @ServerExceptionMapper
    public Response untrustedSourceImage(UntrustedSourceImageException e) {
        LOG.warn(e.getMessage());
        return PlainTextErrors.response(502, e.getMessage()).build();
    }

    @ServerExceptionMapper
    public Response notImplementedYet(NotImplementedYetException e) {
        return PlainTextErrors.response(501, e.getMessage()).build();
    }

    @ServerExceptionMapper
    public Response payloadTooLarge(PayloadTooLargeException e) {
        return PlainTextErrors.response(413, e.getMessage()).build();
    }

    /** Jackson-bound request bodies that do not parse are the client's fault. */
    @ServerExceptionMapper({JsonParseException.class, MismatchedInputException.class})
    public Response unreadableJson(Exception e) {
        String message = e instanceof JsonProcessingException j
                ? j.getOriginalMessage()
                : e.getMessage();
        return PlainTextErrors.response(400, message).build();
    }

    /** Quarkus REST raises 405 without the {@code Allow} header that RFC 9110 requires; add it. */
    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, ContainerRequestContext request) {
        Response response = webApplication(e, request);
        if (response.getHeaderString(HttpHeaders.ALLOW) != null) {
            return response;
        }
        return Response.fromResponse(response)
                .header(HttpHeaders.ALLOW, routes.allowFor(absolute(request.getUriInfo().getPath())))
                .build();
    }

    /**
     * Framework-raised HTTP errors (404, 405, 406, 415...) and deliberate ones such as 503. Keeps the headers
     * of the exception's response (e.g. {@code Retry-After}) but replaces the body with the one-line format.
     */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, ContainerRequestContext request) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status < 400 || original.hasEntity()) {
            return original; // redirects and deliberately built responses pass through untouched
        }
        if (status == 500) {
            return internalError(e, request);
        }
        Response.ResponseBuilder builder = PlainTextErrors.response(status, clientMessage(status));
        original.getStringHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return builder.build();
    }

    private static String absolute(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    /** Anything else is a bug (500), unless a disk fault lies behind it (e.g. storing a schematic on a full disk). */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        return LocalStorageFaults.of(e).map(this::localStorageUnavailable).orElseGet(() -> internalError(e, request));
    }

    private static Response internalError(Throwable e, ContainerRequestContext request) {
        LOG.errorf(e, "request %s %s failed (request_id=%s)", request.getMethod(),
                request.getUriInfo().getPath(), request.getHeaderString(RequestIds.HEADER));
        return PlainTextErrors.response(500, PlainTextErrors.INTERNAL_ERROR_MESSAGE).build();
    }

    /**
     * Framework messages ("HTTP 404 Not Found", "Unable to find matching target resource method") are noise;
     * answer with upstream's texts instead. Code that wants its own message throws the dev.imagefactory.errors
     * types.
     */
    static String clientMessage(int status) {
        return switch (status) {
            case 404 -> PlainTextErrors.NOT_FOUND_MESSAGE;
            case 405 -> PlainTextErrors.METHOD_NOT_ALLOWED_MESSAGE;
            default -> {
                Response.Status known = Response.Status.fromStatusCode(status);
                yield known != null ? known.getReasonPhrase() : "HTTP " + status;
            }
        };
    }
}
