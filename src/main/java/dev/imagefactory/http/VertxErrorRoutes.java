package dev.imagefactory.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Errors that happen outside JAX-RS: no route matched, a Vert.x route matched the path but not the method, or a
 * Vert.x handler failed. Without this Quarkus would answer with its own HTML/JSON error pages.
 */
@ApplicationScoped
public class VertxErrorRoutes {
    private static final Logger LOG = Logger.getLogger(VertxErrorRoutes.class);

    void install(@Observes Router router) {
        router.errorHandler(404, rc -> PlainTextErrors.write(rc.response(), 404, PlainTextErrors.NOT_FOUND_MESSAGE));
        router.errorHandler(405, rc -> PlainTextErrors.write(rc.response(), 405,
                PlainTextErrors.METHOD_NOT_ALLOWED_MESSAGE));
        // First in line among failure handlers, ahead of Quarkus' error page handler.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void failed(RoutingContext rc) {
        int status = rc.statusCode() >= 400 ? rc.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(rc.failure(), "request %s %s failed (request_id=%s)", rc.request().method(),
                    rc.request().path(), RequestIds.of(rc));
        }
        PlainTextErrors.write(rc.response(), status, messageFor(status));
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 404 -> PlainTextErrors.NOT_FOUND_MESSAGE;
            case 405 -> PlainTextErrors.METHOD_NOT_ALLOWED_MESSAGE;
            case 413 -> "request body too large";
            default -> status >= 500 ? PlainTextErrors.INTERNAL_ERROR_MESSAGE
                    : HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }
}
