package dev.imagefactory.http;

import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.SharedStorage;
import dev.imagefactory.cache.s3.S3ArtifactCache;
import dev.imagefactory.cache.s3.S3Storage;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Whether a download is answered with a 302 to a presigned S3 URL ({@code factory.cache.s3.redirect=true}) rather
 * than served through the service (reference §1.4 step 9): only for GET, and never for requests to the PXE host
 * (host of {@code factory.external-pxe-url}, which defaults to the external URL), because iPXE clients may not follow
 * a redirect to an HTTPS object store. Presigning that fails falls back to direct serving.
 */
@ApplicationScoped
public class DownloadRedirects {

    private static final Logger LOG = Logger.getLogger(DownloadRedirects.class);

    private final Optional<S3Storage> s3;
    private final URI pxe;

    public DownloadRedirects(SharedStorage shared, FactoryConfig config) {
        this.s3 = shared.s3().filter(s -> s.settings().redirect());
        this.pxe = URI.create(config.pxeBaseUrl());
    }

    /** The presigned URL to send this GET to, or empty to serve the bytes directly. */
    public Optional<URI> target(CachedArtifact artifact, String filename, String contentType, String host) {
        if (s3.isEmpty() || isPxeHost(host)) {
            return Optional.empty();
        }
        try {
            String object = S3ArtifactCache.objectName(artifact.key());
            if (s3.get().bucket().stat(object).isEmpty()) {
                return Optional.empty(); // e.g. deleted as damaged by another replica: our local copy serves
            }
            return Optional.of(URI.create(s3.get().bucket().presignedGet(object, s3.get().settings().redirectTtl(),
                    Map.of("response-content-disposition", ArtifactResponses.contentDisposition(filename),
                            "response-content-type", contentType))));
        } catch (StorageUnavailableException e) {
            LOG.warnf("serving %s directly: %s", artifact.key(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Same host name and port as the PXE base URL (a missing port is the scheme's default). */
    boolean isPxeHost(String hostHeader) {
        if (hostHeader == null || pxe.getHost() == null) {
            return false;
        }
        URI request = URI.create(pxe.getScheme() + "://" + hostHeader.trim());
        return pxe.getHost().toLowerCase(Locale.ROOT).equals(String.valueOf(request.getHost()).toLowerCase(Locale.ROOT))
                && portOf(pxe) == portOf(request);
    }

    private static int portOf(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
