package dev.imagefactory.http;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which {@code Host} names a listener bound to a localhost address answers (DNS-rebinding protection: a page on
 * another site must not reach the factory through a name that resolves to 127.0.0.1). Bound to anything else, every
 * name is answered. The localhost names are always allowed; to them come the hosts of {@code factory.external-url}
 * and {@code factory.external-pxe-url} (a local reverse proxy keeps the public {@code Host}), or, when
 * {@code factory.http.allowed-hosts} is set, the names it lists instead ({@code *}: every name).
 *
 * <p>Quarkus 3.38 did this itself ({@code quarkus.http.host-validation}); the 3.33 LTS line has no such filter.
 */
public final class AllowedHosts {

    static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> names; // null: every name

    private AllowedHosts(Set<String> names) {
        this.names = names;
    }

    public static AllowedHosts of(String bindHost, String externalUrl, Optional<String> externalPxeUrl,
            Optional<List<String>> configured) {
        if (bindHost == null || !LOCAL_NAMES.contains(bindHost.trim().toLowerCase(Locale.ROOT))) {
            return new AllowedHosts(null);
        }
        Set<String> names = new LinkedHashSet<>(LOCAL_NAMES);
        if (configured.isPresent()) {
            for (String name : configured.get()) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return new AllowedHosts(null);
                }
                if (!n.isEmpty()) {
                    names.add(n);
                }
            }
        } else {
            hostOf(externalUrl).ifPresent(names::add);
            externalPxeUrl.flatMap(AllowedHosts::hostOf).ifPresent(names::add);
        }
        return new AllowedHosts(Set.copyOf(names));
    }

    /** Whether a request with this {@code Host} header is answered; a request without one is (HTTP/1.0 clients). */
    public boolean allows(String hostHeader) {
        if (names == null || hostHeader == null || hostHeader.isBlank()) {
            return true;
        }
        return names.contains(withoutPort(hostHeader.trim()).toLowerCase(Locale.ROOT));
    }

    public boolean validates() {
        return names != null;
    }

    /** {@code name:port} → {@code name}; {@code [v6]:port} → {@code [v6]}. */
    static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    static Optional<String> hostOf(String url) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        try {
            String host = URI.create(url.trim()).getHost();
            return host == null || host.isEmpty() ? Optional.empty() : Optional.of(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a malformed URL is reported where it is used
        }
    }
}
