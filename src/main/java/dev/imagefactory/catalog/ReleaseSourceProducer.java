package dev.imagefactory.catalog;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.config.FactoryConfig.Releases;
import dev.imagefactory.oci.RegistryCredentials;
import dev.imagefactory.signing.ImageTrust;
import dev.imagefactory.signing.SourceVerification;
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
        return switch (releases.source()) {
            case DIRECTORY -> new DirectoryReleaseSource(releases.dir(), cache, trust);
            case OCI -> new OciReleaseSource(ociSettings(releases.oci()), cache, trust);
        };
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
