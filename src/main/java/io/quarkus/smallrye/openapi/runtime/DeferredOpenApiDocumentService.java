package io.quarkus.smallrye.openapi.runtime;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.smallrye.openapi.runtime.filter.AutoSecurityFilter;
import io.smallrye.openapi.runtime.io.Format;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * quarkus-smallrye-openapi's document service, building each OpenAPI document at its first request instead of during
 * every start. The extension's recorder calls {@code prepareDocument} at start-up unconditionally: it reads the
 * build-time document, runs the filters and writes JSON and YAML with classes nothing else has loaded yet, ~0.15 s of
 * a start to ready of ~1 s on two cores (issue 20, {@code bench/startup-to-ready}), for an endpoint few clients call.
 * The first request now pays that once; the document is the same bytes.
 *
 * <p>No setting of the extension defers it, so this subclass overrides the package-private {@code prepareDocument},
 * which is why it lives in the extension's package. An override of a package-private method takes effect only when
 * both classes come from one class loader: in the packaged jar they do; in dev and test mode the extension's jar has
 * a class loader of its own, the override is ignored and the extension builds the document at start-up as it would
 * without this class. {@code dev.imagefactory.ops.OpenApiDocuments} makes it the bean the extension looks up.
 */
public final class DeferredOpenApiDocumentService extends OpenApiDocumentService {
    private static final Logger LOG = Logger.getLogger(DeferredOpenApiDocumentService.class);

    private final Map<String, Runnable> pending = new ConcurrentHashMap<>();

    private DeferredOpenApiDocumentService() {
    }

    /**
     * The service with the configuration the extension's bean gets injected. A produced instance gets no injection, and
     * the field is package-private in a class that dev and test mode load apart from this one, so it is set reflectively.
     */
    public static OpenApiDocumentService create(Config config) {
        DeferredOpenApiDocumentService service = new DeferredOpenApiDocumentService();
        try {
            Field field = OpenApiDocumentService.class.getDeclaredField("config");
            field.setAccessible(true);
            field.set(service, config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("quarkus-smallrye-openapi changed: OpenApiDocumentService.config", e);
        }
        return service;
    }

    @Override
    void prepareDocument(AutoSecurityFilter autoSecurityFilter, Map<OpenApiFilter.RunStage, List<String>> filters,
            String documentName) {
        pending.put(documentName, () -> super.prepareDocument(autoSecurityFilter, filters, documentName));
    }

    @Override
    public byte[] getDocument(String documentName, Format format) {
        if (pending.containsKey(documentName)) {
            synchronized (this) {
                Runnable prepare = pending.remove(documentName);
                if (prepare != null) {
                    LOG.debugf("building OpenAPI document %s at its first request", documentName);
                    prepare.run();
                }
            }
        }
        return super.getDocument(documentName, format);
    }

    /** Whether the document waits for its first request (only ever in the packaged application). */
    public boolean pending(String documentName) {
        return pending.containsKey(documentName);
    }
}
