package dev.imagefactory.build;

import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.errors.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <platform>-<arch>[-secureboot]-uki.efi} (talos-imager.md §4): the release's systemd-stub with the kernel,
 * the schematic's initramfs (the cached {@code initramfs-<arch>.xz} of the same schematic, reused) and the
 * cmdline. The {@code uki} output has only the {@code main} profile.
 */
final class UkiStep {

    private static final String STEP_VERSION = "uki-1";

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final UkiBuilder builder = new UkiBuilder();

    UkiStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, ArtifactBuilds builds) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
    }

    CachedArtifact build(BuildRequest request) {
        Profile profile = request.profile();
        if (!request.quirks().supportsUki()) {
            throw new InvalidInputException("UKI output is not supported for Talos version " + profile.version());
        }
        if (profile.secureBoot()) {
            throw new dev.imagefactory.errors.NotImplementedYetException("signed UKIs are not built by this factory yet");
        }
        ReleaseFile stub = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB);
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        CachedArtifact initrd = initramfs.build(initramfsRequest(request));
        String cmdline = CmdlineStep.cmdline(request);
        CacheKey key = Keys.of(profile, STEP_VERSION, "input.stub=" + stub.sha256(), "input.kernel=" + kernel.sha256(),
                "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline);
        return builds.getOrBuild(key, Keys.labels(profile), work -> {
            Path out = work.resolve("uki.efi");
            builder.build(UkiInputs.of(stub.path(), kernel.path(), initrd.file(), cmdline, request.versionTag(),
                    request.quirks()), out);
            return out;
        });
    }

    /** The initramfs the UKI embeds: the one {@code initramfs-<arch>.xz} serves for this schematic. */
    private static BuildRequest initramfsRequest(BuildRequest request) {
        Profile p = request.profile();
        Profile initramfs = new Profile(p.schematicId(), p.version(), OutputKind.INITRAMFS, Platform.METAL, p.arch(),
                false, Optional.empty());
        return new BuildRequest(initramfs, request.schematic(), request.versionTag());
    }
}
