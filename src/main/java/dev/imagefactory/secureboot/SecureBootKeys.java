package dev.imagefactory.secureboot;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The factory's SecureBoot keys (upstream {@code secureBoot.file.*}), loaded and checked at startup so that bad key
 * material stops the service instead of failing the first SecureBoot build:
 * <ul>
 * <li>{@code factory.secureboot.signing-key}, {@code signing-cert} and {@code pcr-key} all set: those PEM files;</li>
 * <li>none set and {@code factory.secureboot.dev-keys=true}: development keys generated once into
 * {@code <data-dir>/secureboot/} (see {@link DevelopmentKeys});</li>
 * <li>none set otherwise: SecureBoot is disabled; {@code -secureboot} assets are refused with 400.</li>
 * </ul>
 * Some but not all of the three set, unreadable files or a key that does not match its certificate: startup fails
 * with a message naming the setting or file.
 */
@ApplicationScoped
public class SecureBootKeys {

    private static final Logger LOG = Logger.getLogger(SecureBootKeys.class);

    static final String PREFIX = "factory.secureboot.";
    public static final String DISABLED_MESSAGE = "secure boot is not enabled on this factory: configure "
            + "factory.secureboot.signing-key, signing-cert and pcr-key";
    /** The cert endpoint's 404 text when SecureBoot is off. */
    public static final String NOT_ENABLED = "secure boot is not enabled on this factory";
    static final String DEV_KEYS_DIR = "secureboot";

    private final FactoryConfig config;
    private volatile Optional<SigningMaterial> material;

    public SecureBootKeys(FactoryConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        material();
    }

    /** The keys, or empty when SecureBoot is disabled. */
    public Optional<SigningMaterial> material() {
        Optional<SigningMaterial> loaded = material;
        if (loaded == null) {
            synchronized (this) {
                loaded = material;
                if (loaded == null) {
                    loaded = Optional.ofNullable(load(config.secureboot(), config.dataDir()));
                    material = loaded;
                    logState(loaded);
                }
            }
        }
        return loaded;
    }

    public boolean enabled() {
        return material().isPresent();
    }

    /**
     * The keys, for building a {@code -secureboot} asset.
     *
     * @throws InvalidInputException (400) SecureBoot is disabled on this factory
     */
    public SigningMaterial requireEnabled() {
        return material().orElseThrow(() -> new InvalidInputException(DISABLED_MESSAGE));
    }

    /**
     * {@link SigningMaterial#fingerprint()} of the keys, for the cache keys of signed assets.
     *
     * @throws InvalidInputException (400) SecureBoot is disabled on this factory
     */
    public String fingerprint() {
        return requireEnabled().fingerprint();
    }

    /**
     * Resolves the configuration into key material (null = disabled).
     *
     * @throws KeyMaterialException an incomplete or inconsistent configuration
     */
    static SigningMaterial load(FactoryConfig.SecureBoot settings, Path dataDir) {
        List<String> missing = new ArrayList<>();
        settings.signingKey().ifPresentOrElse(p -> { }, () -> missing.add(PREFIX + "signing-key"));
        settings.signingCert().ifPresentOrElse(p -> { }, () -> missing.add(PREFIX + "signing-cert"));
        settings.pcrKey().ifPresentOrElse(p -> { }, () -> missing.add(PREFIX + "pcr-key"));
        if (missing.isEmpty()) {
            if (settings.devKeys()) {
                LOG.infof("%sdev-keys is ignored: key files are configured", PREFIX);
            }
            return SigningMaterial.fromFiles(settings.signingKey().get(), settings.signingCert().get(),
                    settings.pcrKey().get());
        }
        if (missing.size() < 3) {
            throw new KeyMaterialException("invalid SecureBoot configuration: " + String.join(" and ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " not set; set all three of " + PREFIX
                    + "signing-key, signing-cert and pcr-key, or none to disable SecureBoot");
        }
        if (!settings.devKeys()) {
            return null;
        }
        Path dir = dataDir.toAbsolutePath().normalize().resolve(DEV_KEYS_DIR);
        boolean generating = DevelopmentKeys.absent(dir);
        SigningMaterial generated = DevelopmentKeys.loadOrCreate(dir);
        LOG.warnf("SecureBoot uses DEVELOPMENT keys %s %s (%sdev-keys=true): images signed with them are trusted "
                + "by anyone who enrolls this certificate, and anyone who can read that directory can sign; "
                + "configure %ssigning-key, signing-cert and pcr-key for production",
                generating ? "generated in" : "from", dir, PREFIX, PREFIX);
        return generated;
    }

    private static void logState(Optional<SigningMaterial> material) {
        material.ifPresentOrElse(m -> {
            LOG.infof("SecureBoot enabled: signing certificate %s (SHA-256 %s, valid until %s), PCR key pkfp %s",
                    m.certificate().getSubjectX500Principal().getName(), m.certificateSha256(),
                    m.certificate().getNotAfter().toInstant(), m.pcrKey().pkfp());
            if (m.certificate().getNotAfter().toInstant().isBefore(java.time.Instant.now())) {
                LOG.warnf("the SecureBoot signing certificate expired on %s", m.certificate().getNotAfter().toInstant());
            }
        }, () -> LOG.infof("SecureBoot disabled: %ssigning-key, signing-cert and pcr-key are not set", PREFIX));
    }
}
