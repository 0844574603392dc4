package dev.imagefactory.ops;

import io.quarkus.arc.Unremovable;
import io.quarkus.smallrye.openapi.runtime.DeferredOpenApiDocumentService;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * Puts {@link DeferredOpenApiDocumentService} in place of quarkus-smallrye-openapi's own document service: the
 * extension's recorder and its {@code /openapi} handler look the service up by type, and an alternative with a
 * priority wins that lookup. A singleton has no client proxy, so the recorder calls the instance itself.
 */
@Singleton
public class OpenApiDocuments {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    @Unremovable // nothing injects it: the extension looks it up
    OpenApiDocumentService documentsAtFirstRequest(Config config) {
        return DeferredOpenApiDocumentService.create(config);
    }
}
