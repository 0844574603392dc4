package dev.imagefactory.signing;

import dev.imagefactory.config.FactoryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The verification policy of source images ({@code factory.releases.verify.*}), read at start-up so a key that
 * cannot be read, or verification on without a key, stops the service with a message naming the setting. Verification
 * off is logged as an error at every start and shown in the readiness detail ({@code /q/health/ready}).
 *
 * <p>The entry point for every source of pulled images: {@link #releases()} for the release source, and
 * {@link #withKeys} for a source with keys of its own (e.g. an extra extensions manifest), both counting refusals in
 * {@code image_factory_source_image_refusals_total{reason}}.
 */
@ApplicationScoped
public class SourceVerification {

    static final String METRIC = "image_factory_source_image_refusals";
    static final String KEYS_SETTING = "factory.releases.verify.keys";
    private static final Logger LOG = Logger.getLogger(SourceVerification.class);

    private final FactoryConfig config;
    private final MeterRegistry metrics;
    private volatile ImageTrust releases;

    public SourceVerification(FactoryConfig config, MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        releases();
    }

    /** The policy of the release source's images. */
    public ImageTrust releases() {
        ImageTrust loaded = releases;
        if (loaded == null) {
            synchronized (this) {
                loaded = releases;
                if (loaded == null) {
                    loaded = load();
                    releases = loaded;
                }
            }
        }
        return loaded;
    }

    /**
     * A policy with the keys in {@code files} ({@code setting} names them in errors), or the release source's keys when
     * {@code files} is empty; off whenever {@code factory.releases.verify.enabled} is false.
     */
    public ImageTrust withKeys(List<Path> files, String setting) {
        if (!config.releases().verify().enabled()) {
            return ImageTrust.OFF;
        }
        if (files.isEmpty()) {
            return releases();
        }
        return new ImageTrust(files.stream().map(f -> VerificationKey.load(f, setting)).toList(), true, refusals());
    }

    private ImageTrust load() {
        FactoryConfig.Releases.Verify verify = config.releases().verify();
        if (!verify.enabled()) {
            LOG.error("SOURCE IMAGE VERIFICATION IS OFF (factory.releases.verify.enabled=false): imager, installer, "
                    + "extension and overlay images are used without checking their signatures, and overlay installers "
                    + "from them are run. For development only.");
            return ImageTrust.OFF;
        }
        List<Path> files = verify.keys().orElse(List.of());
        if (files.isEmpty()) {
            throw new SigningKeyException(KEYS_SETTING + " names no public key: source images cannot be verified. Set "
                    + "it to the PEM public keys your images are signed with, or factory.releases.verify.enabled=false"
                    + " for development");
        }
        List<VerificationKey> keys = files.stream().map(f -> VerificationKey.load(f, KEYS_SETTING)).toList();
        keys.forEach(k -> LOG.infof("source images must be signed by %s (%s)", k.name(), k.algorithm()));
        return new ImageTrust(keys, true, refusals());
    }

    private Consumer<String> refusals() {
        return reason -> Counter.builder(METRIC)
                .description("Source images refused because their cosign signature is missing or invalid")
                .tag("reason", reason)
                .register(metrics)
                .increment();
    }
}
