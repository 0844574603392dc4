package dev.imagefactory.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;

/**
 * Refuses request lines of an HTTP version this server does not speak ({@code GET / HTTP/9.9}, {@code HTTP/2.0} as
 * text) with 505 and closes the connection. Netty parses any {@code HTTP/x.y} and Vert.x would serve it, echoing the
 * version in its status line; neither offers a setting for it, hence this filter. Vert.x reports such a version as
 * null; HTTP/2 proper (h2c, TLS) has a version and passes.
 */
@ApplicationScoped
public class HttpVersionFilter {

    static final String MESSAGE = "HTTP version not supported";

    void register(@Observes Filters filters) {
        filters.register(this::handle, CommonHeadersFilter.PRIORITY - 1); // after it: the answer has a request id
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.version() != null) {
            rc.next();
            return;
        }
        rc.response().putHeader("Connection", "close");
        rc.response().endHandler(ended -> request.connection().close());
        PlainTextErrors.write(rc.response(), 505, MESSAGE);
    }
}
