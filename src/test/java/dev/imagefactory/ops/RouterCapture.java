package dev.imagefactory.ops;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Test-only: keeps the application's Vert.x router, so tests can list the routes that exist. */
@ApplicationScoped
public class RouterCapture {
    private volatile Router router;

    void capture(@Observes Router router) {
        this.router = router;
    }

    Router router() {
        return router;
    }
}
