package dev.imagefactory.registry;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageSource;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.oci.RegistryCredentials;
import dev.imagefactory.oci.RegistryEndpoint;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The optional backing registry ({@code factory.registry.backing.*}, image-factory-reference.md §6.3): built
 * installer indexes are pushed there by digest, the version tag last (so a tag never points at a partial image), and
 * pulls are answered with a {@code 307} to it.
 */
public final class BackingRegistry {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(20);

    private final RegistryEndpoint endpoint;
    private final String namespace;
    private final RegistryClient client;

    BackingRegistry(RegistryEndpoint endpoint, String namespace) {
        this.endpoint = endpoint;
        this.namespace = namespace;
        this.client = new RegistryClient(endpoint, TIMEOUT, TRANSFER_TIMEOUT);
    }

    /** The configured backing registry; empty when {@code factory.registry.backing.registry} is unset. */
    static Optional<BackingRegistry> from(FactoryConfig.Registry.Backing config) {
        if (config.registry().filter(s -> !s.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        if (config.username().isPresent() != config.password().isPresent()) {
            throw new IllegalArgumentException("factory.registry.backing.username and factory.registry.backing.password"
                    + " must be set together");
        }
        Optional<RegistryCredentials> credentials = config.username()
                .map(user -> new RegistryCredentials(user, config.password().orElseThrow()));
        String namespace = config.namespace().map(s -> s.replaceAll("^/+|/+$", "")).orElse("");
        return Optional.of(new BackingRegistry(new RegistryEndpoint(config.registry().get(), config.insecure(),
                credentials), namespace));
    }

    /** The backing repository of {@code name}: {@code <namespace>/<image>/<schematic>}. */
    String repository(RepositoryName name) {
        return namespace.isEmpty() ? name.repository() : namespace + "/" + name.repository();
    }

    /** The digest under {@code tag}, if the backing registry has it (a built image). */
    Optional<Digest> tagged(RepositoryName name, String tag) throws IOException {
        return client.head(repository(name), tag).map(Descriptor::digest);
    }

    /** Pushes every image under {@code root} from {@code source}, by digest, then the tag. */
    void push(ImageSource source, Descriptor root, RepositoryName name, String tag) throws IOException {
        client.pushImage(source, root, repository(name), tag);
    }

    /** Pushes an image by digest only (the Docker manifest list twin of the OCI index). */
    void pushByDigest(ImageSource source, Descriptor root, RepositoryName name) throws IOException {
        client.pushImage(source, root, repository(name), root.digest().toString());
    }

    /** Where a client is sent for {@code <resource>/<reference>} ({@code manifests/<digest>}, {@code blobs/<digest>}). */
    URI location(RepositoryName name, String resource, String reference) {
        return endpoint.apiBase().resolve(repository(name) + "/" + resource + "/" + reference);
    }
}
