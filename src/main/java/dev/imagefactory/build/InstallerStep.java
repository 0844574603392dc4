package dev.imagefactory.build;

import dev.imagefactory.build.installer.ArtifactsLayer;
import dev.imagefactory.build.installer.ImageFile;
import dev.imagefactory.build.installer.InstallerImage;
import dev.imagefactory.build.installer.LayerBlob;
import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.InstallerBaseKind;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.oci.Digest;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code [<platform>-]installer-<arch>[-secureboot].tar} (talos-imager.md §7.1): the release's base installer
 * image plus our artifacts layer, as a docker-save tarball. From 1.10, and for SecureBoot, the layer holds
 * systemd-boot and a UKI with the {@code reset-maintenance} profile (both signed for SecureBoot); before 1.10 it
 * holds the kernel and the schematic's initramfs (the cached {@code initramfs-<arch>.xz}, reused). The registry
 * frontend builds its per-arch images through this step, so {@code /image} and {@code /v2} share one build. With an
 * overlay, an overlay layer follows (§7.1 step 5): the target-arch overlay image's artifacts, its installer for the
 * overlay name as {@code overlay/installers/default} and the options as {@code overlay/extra-options}. The overlay
 * installer is never run here, so its {@code get-options} kernel args do not reach the installer's UKI.
 */
final class InstallerStep {

    private static final String STEP_VERSION = "installer-1";
    static final String UKI_INTERMEDIATE = "installer-uki";
    private static final String UKI_STEP_VERSION = "installer-uki-1";

    private final ReleaseSource releases;
    private final Catalog catalog;
    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final SecureBootKeys keys;
    private final UkiBuilder ukiBuilder = new UkiBuilder();

    InstallerStep(ReleaseSource releases, Catalog catalog, ReleaseFiles releaseFiles, InitramfsStep initramfs,
            ArtifactBuilds builds, SecureBootKeys keys) {
        this.releases = releases;
        this.catalog = catalog;
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
        this.keys = keys;
    }

    /** Waits for the UKI or initramfs it embeds without a thread: the installer's key needs their digests. */
    CompletableFuture<CachedArtifact> build(BuildRequest request) {
        Profile profile = request.profile();
        Optional<OverlayImage> overlay = overlayImage(request);
        byte[] extraOptions = overlay.isPresent()
                ? OverlayLayer.extraOptions(request.schematic().schematic().overlay().options()) : null;
        boolean unified = request.quirks().supportsUnifiedInstaller();
        InstallerBaseKind kind = unified ? InstallerBaseKind.INSTALLER_BASE : InstallerBaseKind.INSTALLER;
        BaseImage base = releases.installerBase(profile.version(), profile.arch(), kind)
                .orElseThrow(() -> new NotFoundException("Talos " + profile.version() + " has no "
                        + kind.repositoryName() + " image for " + profile.arch().goName()));
        Optional<SigningMaterial> signing = profile.secureBoot() ? Optional.of(keys.requireEnabled()) : Optional.empty();
        BuildLabels labels = Keys.labels(profile);
        List<String> inputs = new ArrayList<>(List.of("base.config=" + base.configDigest()));
        for (BaseLayer layer : InstallerImage.keptBaseLayers(base)) {
            inputs.add("base.layer=" + layer.descriptor().digest());
        }
        String dir = "usr/install/" + profile.arch().goName() + "/";
        List<ImageFile> files = new ArrayList<>();
        CompletableFuture<Void> embedded;
        if (unified || signing.isPresent()) {
            ReleaseFile sdBoot = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT);
            CompletableFuture<Path> signedLoader = signing.isPresent()
                    ? SignedSystemdBoot.ofAsync(builds, sdBoot, labels, signing.get())
                    : CompletableFuture.completedFuture(sdBoot.path());
            embedded = installerUki(request, labels, signing).thenAcceptBoth(signedLoader, (uki, loader) -> {
                String ukiName = signing.isPresent() && !unified ? "vmlinuz.efi.signed" : "vmlinuz.efi";
                files.add(new ImageFile(dir + "systemd-boot.efi", loader));
                files.add(new ImageFile(dir + ukiName, builds.localFile(uki)));
                inputs.add("input.systemd-boot=" + sdBoot.sha256());
                inputs.add("input.uki=" + uki.sha256());
                signing.ifPresent(m -> inputs.add("signer=" + m.fingerprint()));
            });
        } else {
            ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
            embedded = initramfs.build(UkiStep.initramfsRequest(request)).thenAccept(initrd -> {
                files.add(new ImageFile(dir + "vmlinuz", kernel.path()));
                files.add(new ImageFile(dir + "initramfs.xz", builds.localFile(initrd)));
                inputs.add("input.kernel=" + kernel.sha256());
                inputs.add("input.initramfs=" + initrd.sha256());
            });
        }
        return embedded.thenCompose(done -> build(request, base, overlay, extraOptions, labels, inputs, files));
    }

    private CompletableFuture<CachedArtifact> build(BuildRequest request, BaseImage base, Optional<OverlayImage> overlay,
            byte[] extraOptions, BuildLabels labels, List<String> inputs, List<ImageFile> files) {
        Profile profile = request.profile();
        overlay.ifPresent(o -> {
            inputs.add("overlay.image=" + o.identity());
            inputs.add("overlay.name=" + o.name());
            inputs.add("overlay.extra-options=" + Digest.sha256(extraOptions).hex());
        });
        CacheKey key = Keys.of(profile, STEP_VERSION, inputs.toArray(String[]::new));
        return builds.getOrBuildAsync(key, labels, work -> {
            List<LayerBlob> layers = new ArrayList<>();
            layers.add(ArtifactsLayer.write(files, work.resolve("artifacts.tar.gz")));
            if (overlay.isPresent()) {
                layers.add(OverlayLayer.write(overlay.get(), extraOptions, work.resolve("overlay.tar.gz")));
            }
            Path out = work.resolve("installer.tar");
            InstallerImage.writeTarball(base, layers, profile.arch().goName(), base.reference(), out);
            return out;
        });
    }

    /**
     * The schematic's overlay image flattened for the target arch (talos-imager.md §1.7: the copy embedded in an
     * installer image is the target arch's), matched by name against the version's overlay list (§1.4); empty
     * without an overlay.
     */
    private Optional<OverlayImage> overlayImage(BuildRequest request) {
        Schematic.Overlay overlay = request.schematic().schematic().overlay();
        if (overlay == null || overlay.name() == null || overlay.name().isEmpty()) {
            return Optional.empty();
        }
        Profile profile = request.profile();
        OfficialOverlay official = catalog.overlays(profile.version()).stream()
                .filter(o -> o.name().equals(overlay.name()))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("official overlay \"" + overlay.name()
                        + "\" is not available for Talos version " + profile.version()));
        return Optional.of(releases.overlayImage(profile.version(), official, profile.arch()));
    }


    /** The installer's UKI: the installer cmdline as {@code main} plus {@code reset-maintenance} (§7.1 step 7). */
    private CompletableFuture<CachedArtifact> installerUki(BuildRequest request, BuildLabels labels,
            Optional<SigningMaterial> signing) {
        Profile profile = request.profile();
        ReleaseFile stub = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB);
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        String cmdline = CmdlineStep.cmdline(request);
        return initramfs.build(UkiStep.initramfsRequest(request)).thenCompose(initrd -> installerUki(request, labels,
                signing, stub, kernel, initrd, cmdline));
    }

    private CompletableFuture<CachedArtifact> installerUki(BuildRequest request, BuildLabels labels,
            Optional<SigningMaterial> signing, ReleaseFile stub, ReleaseFile kernel, CachedArtifact initrd,
            String cmdline) {
        Profile profile = request.profile();
        CacheKey key = Keys.of(profile, UKI_STEP_VERSION, "input.stub=" + stub.sha256(),
                "input.kernel=" + kernel.sha256(), "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline,
                "signer=" + signing.map(SigningMaterial::fingerprint).orElse("-"));
        return builds.getOrBuildIntermediateAsync(key, UKI_INTERMEDIATE, labels, work -> {
            UkiInputs inputs = UkiInputs.of(stub.path(), kernel.path(), builds.localFile(initrd), cmdline, request.versionTag(),
                    request.quirks()).withExtraProfiles(List.of(UkiProfile.resetToMaintenance(cmdline)));
            return UkiStep.assemble(ukiBuilder, inputs, signing, work);
        });
    }
}
