package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.model.Digest.Algorithm;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The SHA-512 of an asset for its {@code .sha512} sidecar: hashed on the first request for it, then kept in the cache as
 * an intermediate of 128 hex characters under a key derived from the asset's, so a second request reads 128 bytes.
 * Publishing hashes only SHA-256 (ETags, checksums, signatures need it at once). SHA-512 runs at under half SHA-256's
 * speed in this JVM, and every cold build waited for it on every intermediate and every artifact, whether anyone
 * ever asked for a {@code .sha512} or not (issue 20). Concurrent first requests share one hashing (a build).
 */
@ApplicationScoped
public class Sha512Sidecars {

    /** The intermediate's kind: its metric label and the first part of its cache key. */
    static final String KIND = "sha512";
    private static final int HEX_LENGTH = 128;

    private final ArtifactBuilds builds;

    @Inject
    Sha512Sidecars(ArtifactBuilds builds) {
        this.builds = builds;
    }

    /**
     * The SHA-512 (hex) of the asset, which this method owns: it is closed once the digest is known or has failed.
     * Waiting holds no thread.
     */
    public CompletableFuture<String> hex(BuildRequest checked, Asset asset) {
        CachedArtifact artifact = asset.artifact();
        CompletableFuture<ArtifactLease> digest;
        try {
            digest = builds.leaseIntermediateAsync(CacheKey.of(KIND, artifact.key().hex()), KIND,
                    checked.profile().labels(), work -> write(artifact, work));
        } catch (RuntimeException | Error e) {
            asset.close();
            throw e;
        }
        return digest.thenApply(Sha512Sidecars::read).whenComplete((hex, failure) -> asset.close());
    }

    private static Path write(CachedArtifact artifact, Path work) throws IOException {
        String hex = ConcurrentDigests.of(() -> artifact.content().open(0, artifact.size()), Algorithm.SHA512)
                .get(Algorithm.SHA512).hex();
        return Files.writeString(work.resolve("sha512"), hex, StandardCharsets.US_ASCII);
    }

    private static String read(ArtifactLease lease) {
        try (lease) {
            String hex = Files.readString(lease.artifact().file(), StandardCharsets.US_ASCII);
            if (hex.length() != HEX_LENGTH) {
                throw new IllegalStateException("cached SHA-512 of " + lease.artifact().key() + " is "
                        + hex.length() + " characters long");
            }
            return hex;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
