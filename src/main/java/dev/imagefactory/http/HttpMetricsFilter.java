package dev.imagefactory.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Times every request (metric {@code http_server_requests_seconds}, labels method/uri/status) and writes one
 * access log line per request. Labels are bounded: {@code uri} is the route template, never the raw path.
 */
@ApplicationScoped
public class HttpMetricsFilter {
    static final String METRIC = "http.server.requests";
    private static final Logger ACCESS_LOG = Logger.getLogger("dev.imagefactory.http.access");
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    // Asset builds take minutes, so the buckets reach far beyond typical API latencies.
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(180), Duration.ofSeconds(600)
    };

    private final MeterRegistry registry;

    public HttpMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, CommonHeadersFilter.PRIORITY - 1);
    }

    private void handle(RoutingContext rc) {
        long start = System.nanoTime();
        rc.addEndHandler(ignored -> record(rc, System.nanoTime() - start));
        rc.next();
    }

    private void record(RoutingContext rc, long nanos) {
        int status = rc.response().getStatusCode();
        String method = rc.request().method().name();
        String uri = RouteTemplates.labelFor(rc, status);
        Timer.builder(METRIC)
                .description("HTTP requests by route template, method and status")
                .tags("method", KNOWN_METHODS.contains(method) ? method : "OTHER",
                        "uri", uri,
                        "status", Integer.toString(status))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(nanos));
        Logger.Level level = status >= 500 ? Logger.Level.WARN : Logger.Level.INFO;
        ACCESS_LOG.logf(level, "%s %s status=%d duration_ms=%.1f request_id=%s", method, rc.request().path(),
                status, nanos / 1e6, RequestIds.of(rc));
    }
}
