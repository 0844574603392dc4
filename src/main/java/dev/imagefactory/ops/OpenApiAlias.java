package dev.imagefactory.ops;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code /q/openapi}, where tools expect Quarkus' OpenAPI document, answers what {@code /openapi} answers (the
 * extension serves one path; ours is {@code quarkus.smallrye-openapi.path=/openapi}).
 */
@ApplicationScoped
public class OpenApiAlias {
    static final String ALIAS = "/q/openapi";

    void install(@Observes Router router) {
        router.route(ALIAS).handler(rc -> {
            String query = rc.request().query();
            rc.reroute("/openapi" + (query == null ? "" : "?" + query));
        });
    }
}
