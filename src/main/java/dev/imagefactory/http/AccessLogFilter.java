package dev.imagefactory.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Writes one access log line per request, with its duration and request ID (WARN for 5xx). Request metrics are
 * Quarkus' own {@code http_server_requests_seconds} (see {@code ops.HttpServerMetrics}).
 */
@ApplicationScoped
public class AccessLogFilter {
    private static final Logger ACCESS_LOG = Logger.getLogger("dev.imagefactory.http.access");

    void register(@Observes Filters filters) {
        filters.register(this::handle, CommonHeadersFilter.PRIORITY - 1);
    }

    private void handle(RoutingContext rc) {
        long start = System.nanoTime();
        rc.addEndHandler(ignored -> log(rc, System.nanoTime() - start));
        rc.next();
    }

    private void log(RoutingContext rc, long nanos) {
        int status = rc.response().getStatusCode();
        Logger.Level level = status >= 500 ? Logger.Level.WARN : Logger.Level.INFO;
        ACCESS_LOG.logf(level, "%s %s status=%d duration_ms=%.1f request_id=%s", rc.request().method().name(),
                rc.request().path(), status, nanos / 1e6, RequestIds.of(rc));
    }
}
