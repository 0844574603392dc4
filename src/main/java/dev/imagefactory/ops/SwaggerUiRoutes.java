package dev.imagefactory.ops;

import dev.imagefactory.http.RouteTemplates;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Swagger UI at {@code /swagger-ui}: our own page pointing at {@code /openapi}, plus the static assets of the
 * {@code org.webjars:swagger-ui} jar. A Vert.x route, not a JAX-RS resource, because these are UI files and not
 * part of the documented API.
 */
@ApplicationScoped
public class SwaggerUiRoutes {
    static final String BASE = "/swagger-ui";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String POM_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "png", "image/png",
            "html", "text/html; charset=utf-8",
            "map", "application/json");

    private final Map<String, Buffer> assets = new ConcurrentHashMap<>();
    private final String webjarDir = WEBJAR + webjarVersion() + "/";

    void install(@Observes Router router) {
        router.route(BASE).handler(this::onlyReads).handler(this::index);
        router.route(BASE + "/").handler(this::onlyReads).handler(this::index);
        router.routeWithRegex(BASE + "/[^/]+").handler(this::onlyReads).handler(this::asset);
    }

    private void onlyReads(RoutingContext rc) {
        HttpMethod method = rc.request().method();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            rc.next();
        } else {
            rc.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            rc.fail(405);
        }
    }

    private void index(RoutingContext rc) {
        RouteTemplates.set(rc, BASE);
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(INDEX_HTML);
    }

    private void asset(RoutingContext rc) {
        RouteTemplates.set(rc, BASE + "/{asset}");
        String name = rc.request().path().substring(BASE.length() + 1);
        Buffer content = ASSET_NAME.matcher(name).matches() && !name.endsWith(".html")
                ? assets.computeIfAbsent(name, this::readAsset)
                : null;
        if (content == null || content.length() == 0) {
            rc.next(); // falls through to the plain-text 404
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"))
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=86400")
                .end(content);
    }

    /** Empty buffer for a missing file, so repeated misses are cached too (names are bounded by the jar). */
    private Buffer readAsset(String name) {
        try (InputStream in = resource(webjarDir + name)) {
            return in == null ? Buffer.buffer() : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            return Buffer.buffer();
        }
    }

    private static String webjarVersion() {
        Properties properties = new Properties();
        try (InputStream in = resource(POM_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("org.webjars:swagger-ui is not on the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + POM_PROPERTIES, e);
        }
        return properties.getProperty("version");
    }

    private static InputStream resource(String name) {
        return Thread.currentThread().getContextClassLoader().getResourceAsStream(name);
    }

    private static final String INDEX_HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Image Factory API</title>
              <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
              <link rel="icon" type="image/png" href="/swagger-ui/favicon-32x32.png" sizes="32x32">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="/swagger-ui/swagger-ui-bundle.js"></script>
              <script src="/swagger-ui/swagger-ui-standalone-preset.js"></script>
              <script>
                window.onload = () => {
                  window.ui = SwaggerUIBundle({
                    url: "/openapi",
                    dom_id: "#swagger-ui",
                    deepLinking: true,
                    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                    layout: "StandaloneLayout"
                  });
                };
              </script>
            </body>
            </html>
            """;
}
