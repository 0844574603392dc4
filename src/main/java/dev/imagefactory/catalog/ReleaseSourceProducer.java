package dev.imagefactory.catalog;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.config.FactoryConfig.Extensions.Extra;
import dev.imagefactory.config.FactoryConfig.Releases;
import dev.imagefactory.oci.RegistryCredentials;
import dev.imagefactory.oci.RegistryEndpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;

/** Chooses the release source named by {@code factory.releases.source}. */
@ApplicationScoped
public class ReleaseSourceProducer {

    /** Below the data dir: pulled and flattened release content, reused across restarts. */
    static final String CACHE_DIR = "release-cache";

    @Produces
    @ApplicationScoped
    ReleaseSource releaseSource(FactoryConfig config) {
        ReleaseCache cache = new ReleaseCache(config.dataDir().resolve(CACHE_DIR));
        Releases releases = config.releases();
        Extra extra = config.extensions().extra();
        return switch (releases.source()) {
            case DIRECTORY -> new DirectoryReleaseSource(releases.dir(), cache, extra.folder());
            case OCI -> new OciReleaseSource(withExtra(ociSettings(releases.oci()), extra), cache);
        };
    }

    /** The extra extensions manifest of {@code factory.extensions.extra.*}, when a repository is set. */
    static OciReleaseSource.Settings withExtra(OciReleaseSource.Settings settings, Extra extra) {
        if (extra.username().isPresent() != extra.password().isPresent()) {
            throw new IllegalArgumentException("factory.extensions.extra.username and factory.extensions.extra.password"
                    + " must be set together");
        }
        if (extra.repository().isEmpty()) {
            return settings;
        }
        String repository = extra.repository().get();
        if (ImageRef.tryParse("registry.invalid/" + repository).filter(r -> r.repository().equals(repository)).isEmpty()) {
            throw new IllegalArgumentException("factory.extensions.extra.repository \"" + repository
                    + "\" is not a repository path such as acme/extensions");
        }
        Optional<RegistryCredentials> credentials = extra.username()
                .map(user -> new RegistryCredentials(user, extra.password().orElseThrow()));
        RegistryEndpoint registry = new RegistryEndpoint(extra.registry().orElse(settings.registry().host()),
                extra.insecure(), credentials);
        return settings.withExtra(registry, repository);
    }

    static OciReleaseSource.Settings ociSettings(Releases.Oci oci) {
        if (oci.username().isPresent() != oci.password().isPresent()) {
            throw new IllegalArgumentException("factory.releases.oci.username and factory.releases.oci.password"
                    + " must be set together");
        }
        Optional<RegistryCredentials> credentials = oci.username()
                .map(user -> new RegistryCredentials(user, oci.password().orElseThrow()));
        return new OciReleaseSource.Settings(new RegistryEndpoint(oci.registry(), oci.insecure(), credentials),
                oci.imager(), oci.extensions(), oci.overlays(), oci.installerBase(), oci.installer(), oci.talosctl(),
                oci.recheckInterval());
    }
}
