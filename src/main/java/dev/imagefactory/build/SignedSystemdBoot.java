package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.secureboot.PeSigner;
import dev.imagefactory.secureboot.SigningMaterial;
import java.nio.file.Path;

/**
 * The release's systemd-boot Authenticode-signed with our key (talos-imager.md §4.5): an intermediate shared by
 * every SecureBoot ISO and installer of the release, keyed by the loader and the signer.
 */
final class SignedSystemdBoot {

    static final String INTERMEDIATE = "signed-systemd-boot";

    private SignedSystemdBoot() {
    }

    static ArtifactLease of(ArtifactBuilds builds, ReleaseFile sdBoot, BuildLabels labels, SigningMaterial signing) {
        CacheKey key = CacheKey.of(INTERMEDIATE, "1", sdBoot.sha256(), signing.fingerprint());
        return builds.leaseIntermediate(key, INTERMEDIATE, labels, work -> {
            Path out = work.resolve("systemd-boot.efi.signed");
            PeSigner.sign(sdBoot.path(), out, signing);
            return out;
        });
    }
}
