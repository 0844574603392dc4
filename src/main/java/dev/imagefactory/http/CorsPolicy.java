package dev.imagefactory.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which cross-origin requests browsers may make, and the headers that say so (image-factory-reference.md §1.1: the
 * reference wraps every route in {@code rs/cors}). It answers as that middleware does, so clients and the reference's
 * own integration test ({@code checkCors}) see the same headers:
 * <ul>
 *   <li>a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) gets 204, {@code Vary}, and, when the
 *       origin, the method and every requested header are allowed, {@code Access-Control-Allow-Origin} ({@code *}
 *       when any origin is, else the origin), {@code Access-Control-Allow-Methods} naming the requested method and
 *       {@code Access-Control-Allow-Headers} echoing the requested headers; otherwise no CORS header at all;</li>
 *   <li>any other request gets {@code Vary: Origin} and, when it carries an allowed origin and uses an allowed method,
 *       {@code Access-Control-Allow-Origin} and {@code Access-Control-Expose-Headers}. A request from another origin
 *       is still answered as usual, without those headers (the browser then hides the answer): like the reference,
 *       and unlike Quarkus' and Vert.x' CORS handlers, which answer it with 403, so this is not one of them.</li>
 * </ul>
 * Allowed methods: {@code GET}, {@code HEAD}, {@code OPTIONS} everywhere, and {@code POST} on {@code /schematics} and {@code /builds} (the
 * reference allows no POST, so its browser clients cannot create schematics). Allowed request headers: the reference's
 * {@code Cache-Control}, plus {@code Content-Type} (a schematic posted as JSON or YAML) and what our downloads
 * understand ({@code Range}, {@code If-None-Match}, {@code If-Range}, {@code X-Request-ID}). Exposed: the reference's
 * {@code Content-Disposition}, {@code Content-Length}, {@code Content-Type}, plus our download and registry headers.
 */
public final class CorsPolicy {

    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String REQUEST_METHOD = "Access-Control-Request-Method";
    static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
    static final String VARY = "Vary";
    static final String PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> POST_METHODS = Set.of("GET", "HEAD", "OPTIONS", "POST");
    /** The routes that take a POST: schematics are created, builds are started ahead. */
    private static final Set<String> POSTABLE = Set.of("/schematics", "/schematics/", "/builds", "/builds/");
    private static final Set<String> REQUEST_HEADER_NAMES = Set.of("cache-control", "content-type", "range",
            "if-none-match", "if-range", "x-request-id");
    static final String EXPOSED = String.join(", ", List.of("Content-Disposition", "Content-Length", "Content-Type",
            "Accept-Ranges", "Content-Range", "ETag", "Retry-After", "X-Request-ID", "Docker-Content-Digest"));

    private final boolean anyOrigin;
    private final List<String> origins;

    private CorsPolicy(boolean anyOrigin, List<String> origins) {
        this.anyOrigin = anyOrigin;
        this.origins = origins;
    }

    /** From {@code factory.http.allowed-origins}: {@code *}, or origins with at most one {@code *} wildcard each. */
    public static CorsPolicy of(List<String> allowedOrigins) {
        List<String> cleaned = allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty())
                .map(o -> o.toLowerCase(Locale.ROOT)).toList();
        for (String origin : cleaned) {
            if (!origin.equals("*") && origin.indexOf('*') != origin.lastIndexOf('*')) {
                throw new IllegalArgumentException("factory.http.allowed-origins: \"" + origin
                        + "\" has more than one *; write * alone for any origin, or one wildcard such as https://*.example.com");
            }
        }
        return new CorsPolicy(cleaned.contains("*"), cleaned);
    }

    /** Whether browser code from {@code origin} may read the answers. */
    public boolean allowsOrigin(String origin) {
        if (origin == null) {
            return false;
        }
        if (anyOrigin) {
            return true;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        for (String allowed : origins) {
            int star = allowed.indexOf('*');
            if (star < 0 ? allowed.equals(o)
                    : o.length() >= allowed.length() - 1 && o.startsWith(allowed.substring(0, star))
                            && o.endsWith(allowed.substring(star + 1))) {
                return true;
            }
        }
        return false;
    }

    /** The methods a cross-origin request may use on {@code path}. */
    static Set<String> methodsFor(String path) {
        return POSTABLE.contains(path) ? POST_METHODS : METHODS;
    }

    /** The CORS headers of the 204 answer to a preflight (besides {@code Vary}); empty when it is refused. */
    public Map<String, String> preflight(String origin, String requestedMethod, String requestedHeaders, String path) {
        Map<String, String> headers = new LinkedHashMap<>();
        String method = requestedMethod.trim().toUpperCase(Locale.ROOT);
        if (!allowsOrigin(origin) || !methodsFor(path).contains(method) || !headersAllowed(requestedHeaders)) {
            return headers;
        }
        headers.put(ALLOW_ORIGIN, anyOrigin ? "*" : origin);
        headers.put(ALLOW_METHODS, method);
        if (requestedHeaders != null && !requestedHeaders.isBlank()) {
            headers.put(ALLOW_HEADERS, requestedHeaders.trim());
        }
        return headers;
    }

    /** The CORS headers of any other answer (besides {@code Vary}); empty without an allowed origin and method. */
    public Map<String, String> actual(String origin, String method, String path) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (!allowsOrigin(origin) || !methodsFor(path).contains(method)) {
            return headers;
        }
        headers.put(ALLOW_ORIGIN, anyOrigin ? "*" : origin);
        headers.put(EXPOSE_HEADERS, EXPOSED);
        return headers;
    }

    private static boolean headersAllowed(String requestedHeaders) {
        if (requestedHeaders == null || requestedHeaders.isBlank()) {
            return true;
        }
        for (String name : requestedHeaders.split(",")) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (!n.isEmpty() && !REQUEST_HEADER_NAMES.contains(n)) {
                return false;
            }
        }
        return true;
    }
}
