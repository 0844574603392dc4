package dev.imagefactory.http;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JAX-RS routes of the application (path pattern and HTTP method), read from the resource beans. Quarkus REST
 * answers a wrong method with 405 but without the {@code Allow} header; this index supplies it.
 */
@Singleton
public class JaxRsRoutes {
    private static final List<String> METHOD_ORDER = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private record Route(Pattern matcher, String method) {
    }

    private final BeanManager beans;
    /**
     * Read at the first {@code Allow} asked for (an OPTIONS request or a 405, both rare), not at start-up: the
     * reflection over every resource method (and its annotations) took ~0.04 s of a start to ready of under 1 s
     * (issue 20). Guarded by {@code this}.
     */
    private List<Route> routes;

    public JaxRsRoutes(BeanManager beans) {
        this.beans = beans;
    }

    private synchronized List<Route> routes() {
        if (routes == null) {
            List<Route> found = new ArrayList<>();
            for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
                Class<?> type = bean.getBeanClass();
                if (type.isAnnotationPresent(Path.class)) {
                    collect(type, found);
                }
            }
            routes = List.copyOf(found);
        }
        return routes;
    }

    /** The {@code Allow} header value for a path: every method any matching route accepts, plus implied ones. */
    public String allowFor(String path) {
        Set<String> methods = new LinkedHashSet<>();
        for (Route route : routes()) {
            if (route.matcher().matcher(path).matches()) {
                methods.add(route.method());
            }
        }
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        methods.add("OPTIONS");
        List<String> ordered = new ArrayList<>(methods);
        ordered.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        return String.join(", ", ordered);
    }

    private static int rank(String method) {
        int index = METHOD_ORDER.indexOf(method);
        return index < 0 ? METHOD_ORDER.size() : index;
    }

    private static void collect(Class<?> type, List<Route> into) {
        for (Method method : type.getMethods()) {
            String httpMethod = httpMethodOf(method);
            if (httpMethod != null) {
                into.add(new Route(toRegex(type, method), httpMethod));
            }
        }
    }

    static String httpMethodOf(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod httpMethod = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (httpMethod != null) {
                return httpMethod.value();
            }
        }
        return null;
    }

    /**
     * Template parameters become {@code [^/]+}, or their own regex when the template declares one; a trailing
     * slash is optional.
     */
    static Pattern toRegex(Class<?> type, Method method) {
        Path classPath = type.getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String raw = "/" + classPath.value() + "/" + (methodPath == null ? "" : methodPath.value());
        StringBuilder regex = new StringBuilder();
        Matcher param = RouteTemplates.PARAM.matcher(raw);
        int last = 0;
        while (param.find()) {
            regex.append(literal(raw.substring(last, param.start())));
            regex.append('(').append(param.group(2) != null ? param.group(2).trim() : "[^/]+").append(')');
            last = param.end();
        }
        String tail = raw.substring(last).replaceAll("/{2,}", "/");
        if (tail.endsWith("/")) {
            tail = tail.substring(0, tail.length() - 1);
        }
        regex.append(literal(tail));
        return Pattern.compile(regex + "/?");
    }

    private static String literal(String text) {
        String collapsed = text.replaceAll("/{2,}", "/");
        return collapsed.isEmpty() ? "" : Pattern.quote(collapsed);
    }
}
