package dev.imagefactory.signing;

import dev.imagefactory.errors.UntrustedSourceImageException;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A verification policy for source images: the keys one source's images must be signed with, or none at all
 * ({@link #OFF}). Release sources call {@link #verify} with the digest they pulled before they read, cache or run
 * anything of the image. A verified (repository, digest) is remembered, so it is checked once per process, not per
 * build; a refusal is not remembered, so a signature published later is picked up by the next request.
 */
public final class ImageTrust {

    private static final Logger LOG = Logger.getLogger(ImageTrust.class);

    /** Verification off: every image is accepted. */
    public static final ImageTrust OFF = new ImageTrust(List.of(), false, label -> { });

    private final List<VerificationKey> keys;
    private final boolean enabled;
    private final Consumer<String> refusals;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    /** @param refusals told the label of each refusal (for the metric) */
    public ImageTrust(List<VerificationKey> keys, boolean enabled, Consumer<String> refusals) {
        if (enabled && keys.isEmpty()) {
            throw new IllegalArgumentException("verification needs at least one key");
        }
        this.keys = List.copyOf(keys);
        this.enabled = enabled;
        this.refusals = refusals;
    }

    /** Only these keys: for tests and for sources with keys of their own. */
    public static ImageTrust of(List<VerificationKey> keys) {
        return new ImageTrust(keys, true, label -> { });
    }

    public boolean enabled() {
        return enabled;
    }

    public List<VerificationKey> keys() {
        return keys;
    }

    /**
     * Checks that {@code image} ({@code repository@digest}, pulled from {@code source}) carries a valid signature.
     *
     * @param image the image as the error should name it, e.g. {@code ghcr.io/siderolabs/gvisor@sha256:...}
     * @param repository the repository it was pulled from, compared with the signed {@code docker-reference}
     * @throws UntrustedSourceImageException when it does not, or its signature cannot be read
     */
    public void verify(String image, String repository, Digest digest, SignatureSource source) {
        if (!enabled) {
            return;
        }
        String key = repository + "@" + digest;
        if (verified.contains(key)) {
            return;
        }
        CosignVerifier.Rejection rejection;
        try {
            rejection = CosignVerifier.check(source, repository, digest, keys).orElse(null);
        } catch (IOException | RuntimeException e) {
            refusals.accept("unreadable");
            throw new UntrustedSourceImageException("source image " + image + " cannot be verified: its cosign "
                    + "signature cannot be read: " + e.getMessage(), e);
        }
        if (rejection != null) {
            refusals.accept(rejection.label());
            LOG.warnf("refused source image %s: %s", image, rejection.reason());
            throw new UntrustedSourceImageException("source image " + image + " failed signature verification: "
                    + rejection.reason());
        }
        verified.add(key);
    }
}
