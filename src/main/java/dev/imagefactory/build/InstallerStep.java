package dev.imagefactory.build;

import dev.imagefactory.build.installer.ArtifactsLayer;
import dev.imagefactory.build.installer.BlobLeases;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.build.installer.InstallerTarball;
import dev.imagefactory.build.installer.StoredInstallerImage;
import dev.imagefactory.cache.BuildOutput;
import dev.imagefactory.build.installer.ImageFile;
import dev.imagefactory.build.installer.InstallerImage;
import dev.imagefactory.build.installer.LayerBlob;
import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.AsyncLeases;
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
import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code [<platform>-]installer-<arch>[-secureboot].tar} (talos-imager.md §7.1): the release's base installer
 * image plus our artifacts layer, written into the blob store as a blob graph (layers, config, OCI and Docker
 * manifests; the cached product is the image's record, which holds them all) and served as a docker-save tarball
 * streamed from those blobs ({@link InstallerTarball}). From 1.10, and for SecureBoot, the layer holds
 * systemd-boot and a UKI with the {@code reset-maintenance} profile (both signed for SecureBoot); before 1.10 it
 * holds the kernel and the schematic's initramfs (the cached {@code initramfs-<arch>.xz}, reused). The registry
 * frontend builds its per-arch images through this step, so {@code /image} and {@code /v2} share one build. With an
 * overlay, an overlay layer follows (§7.1 step 5): the target-arch overlay image's artifacts, its installer for the
 * overlay name as {@code overlay/installers/default} and the options as {@code overlay/extra-options}. The overlay
 * installer is never run here, so its {@code get-options} kernel args do not reach the installer's UKI.
 */
final class InstallerStep {

    private static final String STEP_VERSION = "installer-2"; // 2: the product is the image's record in the blob store
    static final String UKI_INTERMEDIATE = "installer-uki";
    private static final String UKI_STEP_VERSION = "installer-uki-1";

    private final ReleaseSource releases;
    private final Catalog catalog;
    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final SecureBootKeys keys;
    private final BlobStore blobs;
    private final UkiBuilder ukiBuilder = new UkiBuilder();

    InstallerStep(ReleaseSource releases, Catalog catalog, ReleaseFiles releaseFiles, InitramfsStep initramfs,
            ArtifactBuilds builds, SecureBootKeys keys, BlobStore blobs) {
        this.blobs = blobs;
        this.releases = releases;
        this.catalog = catalog;
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
        this.keys = keys;
    }

    /**
     * Waits for the UKI (and signed systemd-boot) or the initramfs it embeds without a thread (the installer's key
     * needs their digests), and holds them leased until the installer is built.
     */
    CompletableFuture<ArtifactLease> build(BuildRequest request) {
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
        if (unified || signing.isPresent()) {
            ReleaseFile sdBoot = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT);
            List<CompletableFuture<ArtifactLease>> embedded = new ArrayList<>();
            embedded.add(installerUki(request, labels, signing));
            signing.ifPresent(m -> embedded.add(SignedSystemdBoot.ofAsync(builds, sdBoot, labels, m)));
            // the cached inputs stay leased (here, and by the build for its own run) until the tarball is written
            return AsyncLeases.all(embedded).thenCompose(leases -> AsyncLeases.holding(leases, () -> {
                ArtifactLease uki = leases.get(0);
                String ukiName = signing.isPresent() && !unified ? "vmlinuz.efi.signed" : "vmlinuz.efi";
                List<LayerFile> files = new ArrayList<>();
                files.add(signing.isPresent() ? LayerFile.cached(dir + "systemd-boot.efi", leases.get(1).artifact())
                        : LayerFile.release(dir + "systemd-boot.efi", sdBoot.path()));
                files.add(LayerFile.cached(dir + ukiName, uki.artifact()));
                List<String> keyInputs = new ArrayList<>(inputs);
                keyInputs.add("input.systemd-boot=" + sdBoot.sha256());
                keyInputs.add("input.uki=" + uki.artifact().sha256());
                signing.ifPresent(m -> keyInputs.add("signer=" + m.fingerprint()));
                return tarball(profile, base, overlay, extraOptions, labels, keyInputs, files);
            }));
        }
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        return initramfs.build(UkiStep.initramfsRequest(request)).thenCompose(initrd -> AsyncLeases.holding(initrd,
                () -> {
            List<LayerFile> files = List.of(LayerFile.release(dir + "vmlinuz", kernel.path()),
                    LayerFile.cached(dir + "initramfs.xz", initrd.artifact()));
            List<String> keyInputs = new ArrayList<>(inputs);
            keyInputs.add("input.kernel=" + kernel.sha256());
            keyInputs.add("input.initramfs=" + initrd.artifact().sha256());
            return tarball(profile, base, overlay, extraOptions, labels, keyInputs, files);
        }));
    }

    /** The installer tarball over its (leased) embedded files. */
    private CompletableFuture<ArtifactLease> tarball(Profile profile, BaseImage base, Optional<OverlayImage> overlay,
            byte[] extraOptions, BuildLabels labels, List<String> inputs, List<LayerFile> files) {
        overlay.ifPresent(o -> {
            inputs.add("overlay.image=" + o.identity());
            inputs.add("overlay.name=" + o.name());
            inputs.add("overlay.extra-options=" + Digests.sha256(extraOptions).hex());
        });
        CacheKey key = Keys.of(profile, STEP_VERSION, inputs.toArray(String[]::new));
        CompletableFuture<ArtifactLease> record = builds.leaseHoldingAsync(key, labels, work -> {
            BlobLeases stored = new BlobLeases(); // until the record holding the blobs is published
            try (HeldLeases held = new HeldLeases()) {
                List<ImageFile> imageFiles = new ArrayList<>();
                for (LayerFile file : files) {
                    imageFiles.add(new ImageFile(file.imagePath(), file.cached() == null ? file.release()
                            : held.file(builds.localFile(file.cached()))));
                }
                List<LayerBlob> layers = new ArrayList<>();
                layers.add(ArtifactsLayer.write(imageFiles, work.resolve("artifacts.tar.gz")));
                if (overlay.isPresent()) {
                    layers.add(OverlayLayer.write(overlay.get(), extraOptions, work.resolve("overlay.tar.gz")));
                }
                StoredInstallerImage image = InstallerImage.store(blobs, base, layers, profile.arch().goName(),
                        base.reference(), stored);
                Path out = work.resolve("installer.json");
                Files.write(out, image.toJson());
                return new BuildOutput(out, stored.keys(), stored);
            } catch (Exception | Error e) {
                stored.close();
                throw e;
            }
        });
        // served as the docker-save tarball, streamed from the blobs the record holds
        CompletableFuture<ArtifactLease> tarball = new CompletableFuture<>();
        record.whenComplete((lease, failure) -> {
            if (failure != null) {
                tarball.completeExceptionally(AsyncLeases.unwrap(failure));
                return;
            }
            try {
                AsyncLeases.handOver(tarball, InstallerTarball.lease(lease, blobs));
            } catch (RuntimeException | Error e) {
                tarball.completeExceptionally(e);
            }
        });
        return tarball;
    }

    /** A file of the artifacts layer: from the release as it is, or a cached product (leased while it is read). */
    private record LayerFile(String imagePath, Path release, CachedArtifact cached) {
        static LayerFile release(String imagePath, Path file) {
            return new LayerFile(imagePath, file, null);
        }

        static LayerFile cached(String imagePath, CachedArtifact artifact) {
            return new LayerFile(imagePath, null, artifact);
        }
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
    private CompletableFuture<ArtifactLease> installerUki(BuildRequest request, BuildLabels labels,
            Optional<SigningMaterial> signing) {
        Profile profile = request.profile();
        ReleaseFile stub = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB);
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        String cmdline = CmdlineStep.cmdline(request);
        // the initramfs stays leased until the UKI that embeds it is built
        return initramfs.build(UkiStep.initramfsRequest(request)).thenCompose(initrd -> AsyncLeases.holding(initrd,
                () -> {
            CacheKey key = Keys.of(profile, UKI_STEP_VERSION, "input.stub=" + stub.sha256(),
                    "input.kernel=" + kernel.sha256(), "input.initramfs=" + initrd.artifact().sha256(),
                    "cmdline=" + cmdline, "signer=" + signing.map(SigningMaterial::fingerprint).orElse("-"));
            return builds.leaseIntermediateAsync(key, UKI_INTERMEDIATE, labels, work -> {
                try (ArtifactLease initrdFile = builds.localFile(initrd.artifact())) {
                    UkiInputs inputs = UkiInputs.of(stub.path(), kernel.path(), initrdFile.file(), cmdline,
                            request.versionTag(), request.quirks())
                            .withExtraProfiles(List.of(UkiProfile.resetToMaintenance(cmdline)));
                    return UkiStep.assemble(ukiBuilder, inputs, signing, work);
                }
            });
        }));
    }
}
