package dev.imagefactory.ops;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code /q/openapi}, where tools expect Quarkus' OpenAPI document, answers what {@code /openapi} answers (the
 * extension serves one path; ours is {@code quarkus.smallrye-openapi.path=/openapi}). Other methods than GET and HEAD
 * get the plain-text 405 with {@code Allow}.
 */
@ApplicationScoped
public class OpenApiAlias {
    static final String ALIAS = "/q/openapi";

    void install(@Observes Router router) {
        router.route(ALIAS).handler(rc -> {
            HttpMethod method = rc.request().method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                rc.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
                rc.fail(405);
                return;
            }
            String query = rc.request().query();
            rc.reroute(method, "/openapi" + (query == null ? "" : "?" + query));
        });
    }
}
