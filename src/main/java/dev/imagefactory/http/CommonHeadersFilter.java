package dev.imagefactory.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Adds {@code X-Request-ID} and {@code Server} to every response. It is a Vert.x filter rather than a JAX-RS
 * filter so that responses JAX-RS never sees (unknown routes, Swagger UI assets, Vert.x failures) get them too.
 */
@ApplicationScoped
public class CommonHeadersFilter {
    /** Runs before every other filter so that later ones (metrics, access log) can use the request id. */
    static final int PRIORITY = 1_000;

    private final String serverHeader;

    public CommonHeadersFilter(
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.serverHeader = "Image Factory " + asTag(version);
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    private void handle(RoutingContext rc) {
        String requestId = RequestIds.assign(rc.request().getHeader(RequestIds.HEADER));
        rc.put(RequestIds.CONTEXT_KEY, requestId);
        rc.request().headers().set(RequestIds.HEADER, requestId);
        // Set just before the headers are written, so handlers that rebuild the response cannot drop them.
        rc.addHeadersEndHandler(ignored -> {
            MultiMap headers = rc.response().headers();
            headers.set(RequestIds.HEADER, requestId);
            headers.set("Server", serverHeader);
        });
        rc.next();
    }

    /** Upstream reports its git tag (e.g. {@code v1.5.0}); mirror that shape for plain version numbers. */
    static String asTag(String version) {
        return !version.isEmpty() && Character.isDigit(version.charAt(0)) ? "v" + version : version;
    }
}
