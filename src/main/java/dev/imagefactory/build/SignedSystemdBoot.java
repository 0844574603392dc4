package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.BuildAction;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.secureboot.PeSigner;
import dev.imagefactory.secureboot.SigningMaterial;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The release's systemd-boot Authenticode-signed with our key (talos-imager.md §4.5): an intermediate shared by
 * every SecureBoot ISO and installer of the release, keyed by the loader and the signer.
 */
final class SignedSystemdBoot {

    static final String INTERMEDIATE = "signed-systemd-boot";

    private SignedSystemdBoot() {
    }

    /** For a build action (on a build thread): waits for it. */
    static ArtifactLease of(ArtifactBuilds builds, ReleaseFile sdBoot, BuildLabels labels, SigningMaterial signing) {
        return builds.leaseIntermediate(key(sdBoot, signing), INTERMEDIATE, labels, action(sdBoot, signing));
    }

    /** {@link #of} for request code, without holding the thread while it is built. */
    static CompletableFuture<ArtifactLease> ofAsync(ArtifactBuilds builds, ReleaseFile sdBoot, BuildLabels labels,
            SigningMaterial signing) {
        return builds.leaseIntermediateAsync(key(sdBoot, signing), INTERMEDIATE, labels, action(sdBoot, signing));
    }

    private static CacheKey key(ReleaseFile sdBoot, SigningMaterial signing) {
        return CacheKey.of(INTERMEDIATE, "1", sdBoot.sha256(), signing.fingerprint());
    }

    private static BuildAction action(ReleaseFile sdBoot, SigningMaterial signing) {
        return work -> {
            Path out = work.resolve("systemd-boot.efi.signed");
            PeSigner.sign(sdBoot.path(), out, signing);
            return out;
        };
    }
}
