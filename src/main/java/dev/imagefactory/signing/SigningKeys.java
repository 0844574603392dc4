package dev.imagefactory.signing;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.content.StartupLoad;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The factory's cosign key (reference {@code cache.signingKeyPath}), loaded at start-up so a bad key stops the
 * service instead of failing the first pull: {@code factory.signing.key} (an ECDSA P-256 PEM file), or, when unset, a
 * development key generated once into {@code <data-dir>/signing/} and reused at every start.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    static final String DEV_KEY_DIR = "signing";

    private final FactoryConfig config;
    private final StartupLoad<CosignKey> key;

    public SigningKeys(FactoryConfig config) {
        this.config = config;
        this.key = new StartupLoad<>("signing-key-load", this::load);
    }

    /**
     * Starts loading the key first thing at start-up, on a thread of its own: BouncyCastle's first use (classes, curve
     * tables) takes a good share of the start-up's CPU, and the rest of the start-up can run beside it on another core.
     */
    void startLoading(@Observes @Priority(Integer.MIN_VALUE) StartupEvent event) {
        key.start();
    }

    /** Waits for the key as the last step of start-up: a bad key still stops the start. */
    void onStart(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        key();
    }

    /** The key that signs installer images and download bundles. */
    public CosignKey key() {
        return key.get(); // SigningKeyException, naming the file, as when loaded on this thread
    }

    private CosignKey load() {
        if (config.signing().key().isPresent()) {
            Path file = config.signing().key().get();
            CosignKey loaded = CosignKey.load(file);
            LOG.infof("cosign signing key: %s (hint %s)", file, loaded.hint());
            return loaded;
        }
        Path dir = config.dataDir().resolve(DEV_KEY_DIR);
        CosignKey generated = CosignKey.loadOrCreate(dir);
        LOG.warnf("cosign signing key: the development key in %s (hint %s); set factory.signing.key for production, "
                + "and the same key on every replica", dir, generated.hint());
        return generated;
    }
}
