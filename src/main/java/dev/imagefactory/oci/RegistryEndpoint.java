package dev.imagefactory.oci;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a registry is and how to talk to it: {@code insecure} means plain HTTP (a local or in-cluster registry);
 * credentials, when given, are used for Basic authentication or to obtain bearer tokens.
 */
public record RegistryEndpoint(String host, boolean insecure, Optional<RegistryCredentials> credentials) {

    public RegistryEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(credentials, "credentials");
        if (host.isBlank() || host.contains("/")) {
            throw new IllegalArgumentException("invalid registry host \"" + host + "\"");
        }
    }

    public static RegistryEndpoint anonymous(String host, boolean insecure) {
        return new RegistryEndpoint(host, insecure, Optional.empty());
    }

    /** The API base, {@code https://host/v2/}; Docker Hub's image names say docker.io, its API lives elsewhere. */
    public URI apiBase() {
        String apiHost = host.equals("docker.io") || host.equals("index.docker.io") ? "registry-1.docker.io" : host;
        return URI.create((insecure ? "http://" : "https://") + apiHost + "/v2/");
    }
}
