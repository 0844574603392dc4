package dev.imagefactory.http;

import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;

/**
 * Request correlation ids. {@link CommonHeadersFilter} assigns one to every request before any route runs and
 * also writes it back into the request's {@value #HEADER} header, so JAX-RS code can read it with
 * {@code @HeaderParam(RequestIds.HEADER)} or {@link #of(RoutingContext)}.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-ID";
    static final String CONTEXT_KEY = "imagefactory.request-id";
    private static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** The id assigned to this request; never null once the filter has run. */
    public static String of(RoutingContext rc) {
        String id = rc.get(CONTEXT_KEY);
        return id != null ? id : "-";
    }

    static String assign(String incoming) {
        return accept(incoming).orElseGet(() -> UUID.randomUUID().toString());
    }

    /** Echo only ids that are safe to copy into headers and log lines (visible ASCII and space, bounded). */
    static Optional<String> accept(String incoming) {
        if (incoming == null || incoming.isBlank() || incoming.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < incoming.length(); i++) {
            char c = incoming.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.empty();
            }
        }
        return Optional.of(incoming);
    }
}
