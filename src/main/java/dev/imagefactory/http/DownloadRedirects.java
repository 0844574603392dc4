package dev.imagefactory.http;

import dev.imagefactory.build.ImageResolver;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;

/**
 * Whether a download request may be answered with a redirect to storage (reference §1.4 step 9), when the storage
 * can presign at all ({@link ImageResolver#canRedirect()}): only GET, and never requests to the PXE host (host of
 * {@code factory.external-pxe-url}, which defaults to the external URL), because iPXE clients may not follow a
 * redirect to an HTTPS object store. Where the redirect goes is the storage's business, not this front end's.
 */
@ApplicationScoped
public class DownloadRedirects {

    private final ImageResolver resolver;
    private final URI pxe;

    public DownloadRedirects(ImageResolver resolver, FactoryConfig config) {
        this.resolver = resolver;
        this.pxe = URI.create(config.pxeBaseUrl());
    }

    /**
     * Whether a {@code method} request that arrived with this {@code Host} header may be redirected.
     *
     * @throws InvalidInputException for a Host header that is no host (only asked when redirects are possible)
     */
    public boolean allowed(String method, String host) {
        if (!"GET".equals(method) || !resolver.canRedirect()) {
            return false;
        }
        try {
            return !isPxeHost(host);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("malformed Host header");
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
