package dev.imagefactory.registry;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The source image proxy is read-only: any method but GET, HEAD and OPTIONS below {@code /v2/siderolabs/<component>/}
 * is refused with 405 {@code UNSUPPORTED} (and {@code Allow: GET, HEAD}) in the registry's JSON. Done before routing
 * because Quarkus REST picks the route by path first and would answer a push to {@code blobs/uploads/} with its own
 * plain-text 405.
 */
public class SourceImagePushRefusal {

    private static final Pattern PROXIED = Pattern.compile(
            "/?v2/siderolabs/(imager|installer-base|installer|extensions|overlays|talosctl-all)(/.*)?");
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    /** The refusal, or null to let the request through. */
    @ServerRequestFilter(preMatching = true)
    public Response refusePushes(ContainerRequestContext request) {
        if (READS.contains(request.getMethod())) {
            return null;
        }
        Matcher proxied = PROXIED.matcher(request.getUriInfo().getPath());
        return proxied.matches() ? SourceImageResource.readOnly(proxied.group(1)) : null;
    }
}
