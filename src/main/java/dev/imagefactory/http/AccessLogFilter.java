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
        if (!ACCESS_LOG.isEnabled(level)) {
            return;
        }
        // Built by hand: java.util.Formatter cost more than the rest of a small request (profiled on POST /schematics).
        long tenths = Math.round(nanos / 100_000.0); // the duration in tenths of a millisecond, as %.1f rounds it
        String line = new StringBuilder(160).append(rc.request().method().name()).append(' ')
                .append(rc.request().path()).append(" status=").append(status)
                .append(" duration_ms=").append(tenths / 10).append('.').append(tenths % 10)
                .append(" request_id=").append(RequestIds.of(rc)).toString();
        ACCESS_LOG.log(level, line);
    }
}
