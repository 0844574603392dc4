package dev.imagefactory.build;

import dev.imagefactory.model.Profile;

import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.secureboot.PeSigner;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * The release's systemd-boot Authenticode-signed with our key (talos-imager.md §4.5): an intermediate shared by
 * every SecureBoot ISO and installer of the release, determined by the loader and the signer.
 */
@Singleton
class SignedSystemdBoot implements FileStep {

    static final String INTERMEDIATE = "signed-systemd-boot";
    private static final String BUILDER_VERSION = "systemd-boot-signed-1";

    record Inputs(ReleaseInput systemdBoot, Signer signer) {
    }

    private final ReleaseFiles releaseFiles;

    @Inject
    SignedSystemdBoot(ReleaseFiles releaseFiles) {
        this.releaseFiles = releaseFiles;
    }

    @Override
    public StepKind kind() {
        return StepKind.SIGNED_SYSTEMD_BOOT;
    }

    /** The signed loader for {@code profile}'s release and arch, counted under the output's labels. */
    BuildPlan plan(Profile profile, Signer signer) {
        return BuildPlan.intermediate(kind(), BUILDER_VERSION,
                new Inputs(releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT), signer),
                profile.labels().intermediate(INTERMEDIATE));
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        Path out = work.resolve("systemd-boot.efi.signed");
        PeSigner.sign(in.systemdBoot().path(), out, in.signer().material());
        return out;
    }
}
