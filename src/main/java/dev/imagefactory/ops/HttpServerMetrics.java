package dev.imagefactory.ops;

import dev.imagefactory.http.RouteTemplates;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Shapes Quarkus' {@code http_server_requests_seconds} (labels method, uri, status, outcome; {@code uri} is the route
 * template, never the raw path) as the service exposed it before the Micrometer extension: histogram buckets up to
 * 10 minutes, because asset builds take minutes; templates without their parameter regexes
 * ({@code /v2/{name}/tags/list}, where Quarkus REST says {@code /v2/{name: .+}/tags/list}); and {@code UNMATCHED}
 * for requests no route claimed that are not 404s (Quarkus says {@code UNKNOWN}); so dashboards keep their labels.
 */
public class HttpServerMetrics {
    static final String METRIC = "http.server.requests";
    static final String UNMATCHED = "UNMATCHED";
    private static final double[] BUCKETS_SECONDS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600
    };

    @Produces
    @Singleton
    MeterFilter buckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(METRIC)) {
                    return config;
                }
                double[] nanos = new double[BUCKETS_SECONDS.length];
                for (int i = 0; i < nanos.length; i++) {
                    nanos[i] = Duration.ofMillis(Math.round(BUCKETS_SECONDS[i] * 1000)).toNanos();
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter uriLabels() {
        return MeterFilter.replaceTagValues("uri", uri -> "UNKNOWN".equals(uri) ? UNMATCHED : RouteTemplates.withoutRegexes(uri));
    }
}
