package dev.imagefactory.http;

import dev.imagefactory.config.FactoryConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Refuses, with a 400 and its reason, requests whose {@code Host} a localhost listener does not answer ({@link AllowedHosts}). */
@ApplicationScoped
public class HostValidationFilter {

    private final AllowedHosts allowed;

    HostValidationFilter(@ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String bindHost,
            FactoryConfig config) {
        this.allowed = AllowedHosts.of(bindHost, config.externalUrl(), config.externalPxeUrl(),
                config.http().allowedHosts());
    }

    void register(@Observes Filters filters) {
        if (allowed.validates()) {
            filters.register(this::handle, CommonHeadersFilter.PRIORITY + 10); // before everything else
        }
    }

    private void handle(RoutingContext rc) {
        String host = rc.request().getHeader(HttpHeaders.HOST);
        if (allowed.allows(host)) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end("host \"" + host + "\" is not served by this listener; see factory.http.allowed-hosts\n");
    }
}
