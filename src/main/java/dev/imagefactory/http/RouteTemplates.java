package dev.imagefactory.http;

import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.regex.Pattern;

/** JAX-RS route templates (e.g. {@code /schematics/{id}}) as documented and used as bounded metrics labels. */
public final class RouteTemplates {
    /** A template parameter, {@code {name}} or {@code {name: regex}}; the regex may hold one level of braces. */
    static final Pattern PARAM = Pattern.compile("\\{\\s*(\\w[\\w.-]*)\\s*(?::\\s*((?:[^{}]|\\{[^{}]*})*))?}");

    private RouteTemplates() {
    }

    /** {@code /v2/{name: .+}/tags/list} → {@code /v2/{name}/tags/list}. */
    public static String withoutRegexes(String template) {
        return PARAM.matcher(template).replaceAll("{$1}");
    }

    /** Joins class and method {@code @Path}s, dropping parameter regexes: {@code {id: [a-f0-9]+}} → {@code {id}}. */
    public static String of(Class<?> resourceClass, Method method) {
        Path classPath = resourceClass.getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String joined = "/" + (classPath == null ? "" : classPath.value()) + "/"
                + (methodPath == null ? "" : methodPath.value());
        String normalized = withoutRegexes(joined).replaceAll("/{2,}", "/");
        return normalized.length() > 1 && normalized.endsWith("/")
                ? normalized.substring(0, normalized.length() - 1)
                : normalized;
    }
}
