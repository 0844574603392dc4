package dev.imagefactory.http;

import dev.imagefactory.config.FactoryConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;

/**
 * CORS on every route ({@link CorsPolicy}), as a Vert.x filter so that answers JAX-RS never sees (unknown paths,
 * Swagger UI, Vert.x errors) carry the headers too. Preflights are answered here, before routing, as the reference's
 * middleware answers them (204 on any path). Hand-written rather than {@code quarkus.http.cors.*}: Quarkus' filter
 * answers a request from a foreign origin with 403 instead of the usual answer without CORS headers, and has one
 * method list for every path (POST is allowed on {@code /schematics} only).
 */
@ApplicationScoped
public class CorsFilter {

    private final CorsPolicy policy;

    CorsFilter(FactoryConfig config) {
        this.policy = CorsPolicy.of(config.http().allowedOrigins());
    }

    void register(@Observes Filters filters) {
        // after host validation and the request id (they apply to preflights too), before any route
        filters.register(this::handle, CommonHeadersFilter.PRIORITY - 2);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String requestedMethod = request.getHeader(CorsPolicy.REQUEST_METHOD);
        if (request.method() == HttpMethod.OPTIONS && requestedMethod != null) {
            Map<String, String> headers = policy.preflight(origin, requestedMethod,
                    request.getHeader(CorsPolicy.REQUEST_HEADERS), request.path());
            MultiMap response = rc.response().headers();
            response.add(CorsPolicy.VARY, CorsPolicy.PREFLIGHT_VARY);
            headers.forEach(response::set);
            rc.response().setStatusCode(204).end();
            return;
        }
        Map<String, String> headers = policy.actual(origin, request.method().name(), request.path());
        // set as the headers are written, so handlers that rebuild the response cannot drop them
        rc.addHeadersEndHandler(ignored -> {
            MultiMap response = rc.response().headers();
            if (response.getAll(CorsPolicy.VARY).stream()
                    .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("origin"))) {
                response.add(CorsPolicy.VARY, "Origin"); // the answer differs by Origin: caches must keep them apart
            }
            headers.forEach(response::set);
        });
        rc.next();
    }
}
