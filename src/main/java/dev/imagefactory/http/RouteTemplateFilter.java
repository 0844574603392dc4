package dev.imagefactory.http;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Records which JAX-RS route template matched, for the request metrics. Runs after matching. */
public class RouteTemplateFilter {
    private final Map<Method, String> templates = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void recordTemplate(ResourceInfo resource, RoutingContext rc) {
        Method method = resource.getResourceMethod();
        if (method != null) {
            RouteTemplates.set(rc, templates.computeIfAbsent(method,
                    m -> RouteTemplates.of(resource.getResourceClass(), m)));
        }
    }
}
