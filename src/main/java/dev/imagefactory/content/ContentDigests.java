package dev.imagefactory.content;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Digests of content with other algorithms, known by the content's SHA-256: what a {@link HashedFileWriter} took
 * besides the SHA-256 while its file was written, for a later step that needs them (a SecureBoot UKI's PCR signature
 * hashes its {@code .initrd} with SHA-256, SHA-384 and SHA-512; the initramfs step writes that file while the
 * compressor runs, when a core has time to spare). In memory and bounded: after a restart, or for content nobody
 * recorded, the step hashes the content itself.
 */
public final class ContentDigests {

    private static final int MAX_ENTRIES = 64;
    /** SHA-256 (hex) → JCA algorithm name → raw digest; access-ordered, guarded by itself. */
    private static final Map<String, Map<String, byte[]>> KNOWN = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, byte[]>> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private ContentDigests() {
    }

    /** Records {@code digests} (JCA name → raw digest) of the content whose SHA-256 is {@code sha256Hex}. */
    static void remember(String sha256Hex, Map<String, byte[]> digests) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        digests.forEach((algorithm, digest) -> copy.put(algorithm, digest.clone()));
        synchronized (KNOWN) {
            KNOWN.put(sha256Hex, Map.copyOf(copy));
        }
    }

    /** The digests with each of {@code algorithms} (JCA names) of the content whose SHA-256 is given, if all known. */
    public static Optional<Map<String, byte[]>> of(String sha256Hex, List<String> algorithms) {
        Map<String, byte[]> known;
        synchronized (KNOWN) {
            known = KNOWN.get(sha256Hex);
        }
        if (known == null || !known.keySet().containsAll(algorithms)) {
            return Optional.empty();
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String algorithm : algorithms) {
            out.put(algorithm, known.get(algorithm).clone());
        }
        return Optional.of(out);
    }
}
