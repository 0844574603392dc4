package dev.imagefactory.build;

import dev.imagefactory.build.iso.IsoBuilder;
import dev.imagefactory.build.iso.IsoInputs;
import dev.imagefactory.build.iso.IsoLayout;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.errors.NotImplementedYetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <platform>-<arch>.iso} (talos-imager.md §5): the layout chosen by version and the schematic's
 * {@code bootloader} ({@link IsoLayout#choose}), built from the release's kernel, the schematic's cached
 * {@code initramfs-<arch>.xz} (reused, not rebuilt) and the ISO cmdline (§3.2 step 3 {@code talos.halt_if_installed=1}
 * from 1.8, META and extra args per §3.5). UEFI-only and hybrid ISOs carry systemd-boot and a UKI whose second
 * profile resets the system disk (§4.2); that UKI is an intermediate product ({@code output_kind="iso-uki"}),
 * cached under its own inputs.
 *
 * <p>SecureBoot ISOs (signed systemd-boot and UKI, enrollment files on the ESP) are not built yet: 501, never an
 * unsigned ISO under a {@code -secureboot} name.
 */
final class IsoStep {

    private static final String STEP_VERSION = "iso-1";
    private static final String UKI_STEP_VERSION = "iso-uki-1";
    static final String UKI_INTERMEDIATE = "iso-uki";

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final IsoBuilder isoBuilder;
    private final UkiBuilder ukiBuilder = new UkiBuilder();

    IsoStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, ArtifactBuilds builds, IsoBuilder isoBuilder) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
        this.isoBuilder = isoBuilder;
    }

    CachedArtifact build(BuildRequest request) {
        Profile profile = request.profile();
        if (profile.secureBoot()) {
            throw new NotImplementedYetException("SecureBoot ISOs are not built by this factory yet");
        }
        IsoLayout layout = IsoLayout.choose(request.quirks(), profile.arch(), false,
                request.schematic().schematic().customization().bootloader());
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        ReleaseFile stub = layout.usesUki() ? releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB) : null;
        ReleaseFile sdBoot = layout.usesUki() ? releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT) : null;
        CachedArtifact initrd = initramfs.build(UkiStep.initramfsRequest(request));
        String cmdline = CmdlineStep.cmdline(request);

        List<String> inputs = new ArrayList<>(List.of("builder=" + IsoBuilder.BUILDER_VERSION,
                "layout=" + layout.bootloaderName(), "input.kernel=" + kernel.sha256(),
                "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline));
        if (layout.usesUki()) {
            inputs.add("input.stub=" + stub.sha256());
            inputs.add("input.systemd-boot=" + sdBoot.sha256());
        }
        CacheKey key = Keys.of(profile, STEP_VERSION, inputs.toArray(String[]::new));
        BuildLabels labels = Keys.labels(profile);
        return builds.getOrBuild(key, labels, work -> {
            IsoInputs iso = IsoInputs.grub(request.versionTag(), request.quirks(), profile.arch(), kernel.path(),
                    initrd.file(), cmdline);
            if (layout.usesUki()) {
                Path uki = isoUki(profile, labels, stub, kernel, initrd, cmdline, request);
                iso = iso.withUefi(sdBoot.path(), uki);
            }
            return isoBuilder.build(layout, iso, work.resolve("iso"));
        });
    }

    /** The UKI of the ISO's ESP: the ISO cmdline as {@code main}, plus the {@code reset} profile (>= 1.10). */
    private Path isoUki(Profile profile, BuildLabels labels, ReleaseFile stub, ReleaseFile kernel,
            CachedArtifact initrd, String cmdline, BuildRequest request) {
        CacheKey key = Keys.of(profile, UKI_STEP_VERSION, "input.stub=" + stub.sha256(),
                "input.kernel=" + kernel.sha256(), "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline);
        return builds.getOrBuildIntermediate(key, UKI_INTERMEDIATE, labels, work -> {
            Path out = work.resolve("uki.efi");
            ukiBuilder.build(UkiInputs.of(stub.path(), kernel.path(), initrd.file(), cmdline, request.versionTag(),
                    request.quirks()).withExtraProfiles(List.of(UkiProfile.isoReset(cmdline))), out);
            return out;
        }).file();
    }
}
