package dev.imagefactory.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Bound to a localhost address ({@code quarkus.http.host=127.0.0.1}), Quarkus accepts only requests whose
 * {@code Host} is a localhost name, so behind a local reverse proxy that keeps the public {@code Host} every request
 * got an empty 400. This configuration source adds the hosts of {@code factory.external-url} and
 * {@code factory.external-pxe-url} to the localhost names in {@code quarkus.http.host-validation.allowed-hosts},
 * Quarkus' own setting, so its filter keeps refusing every other name. Its ordinal is below every user source: an
 * explicit {@code allowed-hosts} (or {@code require-localhost=true}) is left as it is.
 */
public class LocalhostAllowedHosts implements ConfigSourceFactory {

    static final String ALLOWED_HOSTS = "quarkus.http.host-validation.allowed-hosts";
    static final String REQUIRE_LOCALHOST = "quarkus.http.host-validation.require-localhost";
    /** Quarkus' localhost names (HostValidationRecorder), and what it compares: the Host without port, lower case. */
    static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "[::1]");
    /** Below application.properties (250), environment (300) and system properties (400). */
    static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String host = value(context, "quarkus.http.host");
        if (host == null || !isLocal(host) || value(context, ALLOWED_HOSTS) != null
                || "true".equalsIgnoreCase(value(context, REQUIRE_LOCALHOST))) {
            return List.of();
        }
        Set<String> allowed = new LinkedHashSet<>(LOCAL_NAMES);
        for (String url : new String[] {value(context, "factory.external-url"), value(context, "factory.external-pxe-url")}) {
            String name = hostOf(url);
            if (name != null) {
                allowed.add(name);
            }
        }
        if (allowed.size() == LOCAL_NAMES.size()) {
            return List.of(); // nothing to add to what Quarkus does by itself
        }
        return List.of(new PropertiesConfigSource(Map.of(ALLOWED_HOSTS, String.join(",", allowed)),
                "factory external hosts allowed on localhost", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue().trim();
    }

    static boolean isLocal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return LOCAL_NAMES.contains(h) || h.equals("::1");
    }

    /** The host of an http(s) URL as the filter compares it, or null when there is none. */
    static String hostOf(String url) {
        if (url == null) {
            return null;
        }
        try {
            String host = URI.create(url).getHost();
            return host == null || host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null; // a malformed URL is reported where it is used
        }
    }
}
