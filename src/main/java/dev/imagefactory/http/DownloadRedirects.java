package dev.imagefactory.http;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.cache.SharedStorage;
import dev.imagefactory.cache.s3.S3ArtifactCache;
import dev.imagefactory.cache.s3.S3Settings;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;
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

    private final Optional<S3Settings> settings;
    private final ArtifactCache cache;
    private final URI pxe;

    public DownloadRedirects(SharedStorage shared, ArtifactCache cache, FactoryConfig config) {
        this.settings = shared.s3().map(s3 -> s3.settings()).filter(S3Settings::redirect);
        this.cache = cache;
        this.pxe = URI.create(config.pxeBaseUrl());
    }

    /** The presigned URL to send this GET to, or empty to serve the bytes directly. */
    public Optional<URI> target(CachedArtifact artifact, String filename, String contentType, String host) {
        if (settings.isEmpty() || !(cache instanceof S3ArtifactCache s3) || isPxeHost(host)) {
            return Optional.empty();
        }
        try {
            return s3.presignedGet(artifact.key(), settings.get().redirectTtl(),
                    ArtifactResponses.contentDisposition(filename), contentType).map(URI::create);
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
