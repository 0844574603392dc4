package dev.imagefactory.ops;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The hand-maintained OpenAPI document (the smallrye-openapi extension is not available to this build).
 * {@code OpenApiDocumentTest} fails when a JAX-RS route is missing from it.
 */
@Singleton
public class OpenApiDocument {
    static final String RESOURCE = "openapi/openapi.yaml";
    static final String CONTENT_TYPE = "application/yaml";

    private final byte[] yaml = load();

    public byte[] yaml() {
        return yaml.clone();
    }

    private static byte[] load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
