package dev.imagefactory.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.Response;

/** The single error format of the service, as upstream writes it with Go's {@code http.Error}. */
public final class PlainTextErrors {
    public static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    static final String NOSNIFF_HEADER = "X-Content-Type-Options";
    static final String NOT_FOUND_MESSAGE = "404 page not found";
    static final String METHOD_NOT_ALLOWED_MESSAGE = "Method Not Allowed";
    static final String INTERNAL_ERROR_MESSAGE = "internal server error";

    private PlainTextErrors() {
    }

    /** Error bodies are one line: clients split on newlines and log scrapers expect one record. */
    public static String body(String message) {
        String text = message == null || message.isBlank() ? "error" : message;
        return text.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ') + "\n";
    }

    public static Response.ResponseBuilder response(int status, String message) {
        return Response.status(status)
                .type(CONTENT_TYPE)
                .header(NOSNIFF_HEADER, "nosniff")
                .entity(body(message));
    }

    static void write(HttpServerResponse response, int status, String message) {
        if (response.ended()) {
            return;
        }
        if (response.headWritten()) {
            // Too late to send an error status; cutting the connection is the only honest signal left.
            response.reset();
            return;
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
                .putHeader(NOSNIFF_HEADER, "nosniff")
                .end(body(message));
    }
}
