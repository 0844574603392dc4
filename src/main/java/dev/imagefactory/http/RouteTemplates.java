package dev.imagefactory.http;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.regex.Pattern;

/**
 * The route template (e.g. {@code /schematics/{id}}) that handled a request, used as a bounded metrics label.
 * JAX-RS routes get it from {@link RouteTemplateFilter}; plain Vert.x routes call {@link #set}.
 */
public final class RouteTemplates {
    static final String CONTEXT_KEY = "imagefactory.route-template";
    /** Label for requests no route claimed, so probing random URLs cannot create new time series. */
    static final String NOT_FOUND = "NOT_FOUND";
    static final String UNMATCHED = "UNMATCHED";
    /** A template parameter, {@code {name}} or {@code {name: regex}}; the regex may hold one level of braces. */
    static final Pattern PARAM = Pattern.compile("\\{\\s*(\\w[\\w.-]*)\\s*(?::\\s*((?:[^{}]|\\{[^{}]*})*))?}");

    private RouteTemplates() {
    }

    public static void set(RoutingContext rc, String template) {
        rc.put(CONTEXT_KEY, template);
    }

    static String labelFor(RoutingContext rc, int status) {
        String template = rc.get(CONTEXT_KEY);
        if (template != null) {
            return template;
        }
        return status == 404 ? NOT_FOUND : UNMATCHED;
    }

    /** Joins class and method {@code @Path}s, dropping parameter regexes: {@code {id: [a-f0-9]+}} → {@code {id}}. */
    public static String of(Class<?> resourceClass, Method method) {
        Path classPath = resourceClass.getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String joined = "/" + (classPath == null ? "" : classPath.value()) + "/"
                + (methodPath == null ? "" : methodPath.value());
        String normalized = PARAM.matcher(joined).replaceAll("{$1}").replaceAll("/{2,}", "/");
        return normalized.length() > 1 && normalized.endsWith("/")
                ? normalized.substring(0, normalized.length() - 1)
                : normalized;
    }
}
