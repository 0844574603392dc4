package dev.imagefactory.http;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Quarkus REST answers {@code OPTIONS} itself, but its {@code Allow} lists the methods of the whole resource class
 * ({@code OPTIONS /schematics/<id>} named POST, which only {@code /schematics} serves). This replaces that header
 * with the methods of the routes matching the very path, from {@link JaxRsRoutes}, the same source as the
 * {@code Allow} of a 405.
 */
@ApplicationScoped
public class OptionsAllowFilter {

    private final JaxRsRoutes routes;

    public OptionsAllowFilter(JaxRsRoutes routes) {
        this.routes = routes;
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, CommonHeadersFilter.PRIORITY - 1);
    }

    private void handle(RoutingContext rc) {
        if (rc.request().method() == HttpMethod.OPTIONS) {
            String path = rc.request().path();
            rc.addHeadersEndHandler(ignored -> {
                if (rc.response().headers().contains("Allow")) {
                    rc.response().headers().set("Allow", routes.allowFor(path));
                }
            });
        }
        rc.next();
    }
}
