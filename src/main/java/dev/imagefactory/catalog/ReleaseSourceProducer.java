package dev.imagefactory.catalog;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.config.FactoryConfig.Extensions.Extra;
import dev.imagefactory.config.FactoryConfig.Releases;
import dev.imagefactory.oci.RegistryCredentials;
import dev.imagefactory.oci.RegistryEndpoint;
import dev.imagefactory.signing.ImageTrust;
import dev.imagefactory.signing.SourceVerification;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;

/** Chooses the release source named by {@code factory.releases.source}. */
@ApplicationScoped
public class ReleaseSourceProducer {

    /** Below the data dir: pulled and flattened release content, reused across restarts. */
    static final String CACHE_DIR = "release-cache";

    /** Settings of the extra extensions that cannot work stop start-up, naming the setting (the source is made lazily). */
    void onStart(@Observes StartupEvent event, FactoryConfig config) {
        check(config.extensions().extra());
    }

    /** Refuses extra extensions settings that cannot work, with a message naming the setting. */
    static void check(Extra extra) {
        extra.folder().ifPresent(ExtraExtensionsFolder::check);
        if (extra.username().isPresent() != extra.password().isPresent()) {
            throw new IllegalArgumentException("factory.extensions.extra.username and factory.extensions.extra.password"
                    + " must be set together");
        }
        extra.repository().ifPresent(repository -> {
            boolean path = ImageRef.tryParse("registry.invalid/" + repository)
                    .filter(ref -> ref.repository().equals(repository)).isPresent();
            if (!path) {
                throw new IllegalArgumentException("factory.extensions.extra.repository \"" + repository
                        + "\" is not a repository path such as acme/extensions");
            }
        });
    }

    @Produces
    @ApplicationScoped
    ReleaseSource releaseSource(FactoryConfig config, SourceVerification verification) {
        return releaseSource(config, verification.releases());
    }

    /** The configured source, without verification: for tests of the choice itself. */
    ReleaseSource releaseSource(FactoryConfig config) {
        return releaseSource(config, ImageTrust.OFF);
    }

    private static ReleaseSource releaseSource(FactoryConfig config, ImageTrust trust) {
        ReleaseCache cache = new ReleaseCache(config.dataDir().resolve(CACHE_DIR));
        Releases releases = config.releases();
        Extra extra = config.extensions().extra();
        return switch (releases.source()) {
            case DIRECTORY -> new DirectoryReleaseSource(releases.dir(), cache, trust, extra.folder());
            case OCI -> new OciReleaseSource(withExtra(ociSettings(releases.oci()), extra), cache, trust);
        };
    }

    /** The extra extensions manifest of {@code factory.extensions.extra.*}, when a repository is set. */
    static OciReleaseSource.Settings withExtra(OciReleaseSource.Settings settings, Extra extra) {
        check(extra);
        if (extra.repository().isEmpty()) {
            return settings;
        }
        String repository = extra.repository().get();
        if (extra.registry().isEmpty()) {
            return settings.withExtra(settings.registry(), repository); // the release registry, with its settings
        }
        Optional<RegistryCredentials> credentials = extra.username()
                .map(user -> new RegistryCredentials(user, extra.password().orElseThrow()));
        return settings.withExtra(new RegistryEndpoint(extra.registry().get(), extra.insecure(), credentials), repository);
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
