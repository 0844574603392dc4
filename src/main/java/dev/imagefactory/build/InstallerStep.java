package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.PlanValue;
import dev.imagefactory.model.Profile;

import dev.imagefactory.build.installer.ArtifactsLayer;
import dev.imagefactory.build.installer.BlobLeases;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.build.installer.InstallerTarball;
import dev.imagefactory.build.installer.StoredInstallerImage;
import dev.imagefactory.build.installer.ImageFile;
import dev.imagefactory.build.installer.InstallerImage;
import dev.imagefactory.build.installer.LayerBlob;
import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.InstallerBaseKind;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
@Singleton
class InstallerStep implements OutputStep {

    private static final String BUILDER_VERSION = "installer-1";

    /**
     * @param files        the files of the artifacts layer, in layer order
     * @param extraOptions the overlay's options as written to {@code overlay/extra-options}, with an overlay only
     */
    record Inputs(Base base, Arch arch, List<LayerFile> files, Optional<Overlay> overlay, Optional<Blob> extraOptions) {
    }

    /** The base installer image, identified by its reference, config digest and the layers the installer keeps. */
    record Base(BaseImage image) implements PlanValue {
        @Override
        public String canonical() {
            StringBuilder text = new StringBuilder(image.reference()).append(" config=").append(image.configDigest());
            InstallerImage.keptBaseLayers(image).forEach(l -> text.append(" layer=").append(l.descriptor().digest()));
            return text.toString();
        }
    }

    /** The target-arch overlay image, identified by its name and image identity. */
    record Overlay(OverlayImage image) implements PlanValue {
        @Override
        public String canonical() {
            return image.name() + "@" + image.identity();
        }
    }

    /** A file of the artifacts layer: the release's file as it is, or a built one (a needed plan). */
    record LayerFile(String imagePath, Optional<ReleaseInput> release, Optional<BuildPlan> built) {
        static LayerFile release(String imagePath, ReleaseInput file) {
            return new LayerFile(imagePath, Optional.of(file), Optional.empty());
        }

        static LayerFile built(String imagePath, BuildPlan plan) {
            return new LayerFile(imagePath, Optional.empty(), Optional.of(plan));
        }
    }

    private final ReleaseSource releases;
    private final Catalog catalog;
    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final UkiStep uki;
    private final SignedSystemdBoot signedSystemdBoot;
    private final SecureBootKeys keys;
    private final BlobStore blobs;
    private final SchematicOverlay overlays;
    private final ProcessRunner tools;

    @Inject
    InstallerStep(ReleaseSource releases, Catalog catalog, ReleaseFiles releaseFiles, InitramfsStep initramfs,
            UkiStep uki, SignedSystemdBoot signedSystemdBoot, SecureBootKeys keys, BlobStore blobs, ProcessRunner tools) {
        this.blobs = blobs;
        this.tools = tools;
        this.overlays = new SchematicOverlay(catalog, releases);
        this.releases = releases;
        this.catalog = catalog;
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.uki = uki;
        this.signedSystemdBoot = signedSystemdBoot;
        this.keys = keys;
    }

    @Override
    public StepKind kind() {
        return StepKind.INSTALLER;
    }

    @Override
    public OutputKind output() {
        return OutputKind.INSTALLER;
    }

    @Override
    public BuildPlan plan(BuildRequest request) {
        Profile profile = request.profile();
        Optional<OverlayImage> overlay = overlays.image(request, profile.arch()); // §1.7: the target arch's copy
        Optional<Blob> extraOptions = overlay.map(o -> new Blob(
                OverlayLayer.extraOptions(request.schematic().schematic().overlay().options())));
        boolean unified = request.quirks().supportsUnifiedInstaller();
        InstallerBaseKind kind = unified ? InstallerBaseKind.INSTALLER_BASE : InstallerBaseKind.INSTALLER;
        BaseImage base = releases.installerBase(profile.version(), profile.arch(), kind)
                .orElseThrow(() -> new NotFoundException("Talos " + profile.version() + " has no "
                        + kind.repositoryName() + " image for " + profile.arch().goName()));
        Optional<Signer> signer = profile.secureBoot() ? Optional.of(new Signer(keys.requireEnabled())) : Optional.empty();
        String dir = "usr/install/" + profile.arch().goName() + "/";
        List<LayerFile> files;
        if (unified || signer.isPresent()) {
            String ukiName = signer.isPresent() && !unified ? "vmlinuz.efi.signed" : "vmlinuz.efi";
            LayerFile loader = signer.isPresent()
                    ? LayerFile.built(dir + "systemd-boot.efi", signedSystemdBoot.plan(profile, signer.get()))
                    : LayerFile.release(dir + "systemd-boot.efi",
                            releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT));
            files = List.of(loader, LayerFile.built(dir + ukiName, uki.plan(request, UkiStep.Use.INSTALLER)));
        } else {
            files = List.of(
                    LayerFile.release(dir + "vmlinuz", releaseFiles.require(profile.version(), profile.arch(),
                            BootFile.KERNEL)),
                    LayerFile.built(dir + "initramfs.xz", initramfs.plan(request)));
        }
        Inputs inputs = new Inputs(new Base(base), profile.arch(), files, overlay.map(Overlay::new), extraOptions);
        return BuildPlan.output(kind(), BUILDER_VERSION, inputs, profile.labels());
    }

    /**
     * Writes the image into the blob store (layers, config, both manifests) and publishes its record, which holds
     * every blob; the blobs stay leased until the record is published.
     */
    @Override
    public BuildOutput build(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        List<ImageFile> files = new ArrayList<>();
        for (LayerFile file : in.files()) {
            files.add(new ImageFile(file.imagePath(), file.built().isPresent() ? needs.file(file.built().get())
                    : file.release().orElseThrow().path()));
        }
        BlobLeases stored = new BlobLeases();
        try {
            List<LayerBlob> layers = new ArrayList<>();
            layers.add(ArtifactsLayer.write(tools, files, work.resolve("artifacts.tar.gz")));
            if (in.overlay().isPresent()) {
                layers.add(OverlayLayer.write(tools, in.overlay().get().image(), in.extraOptions().map(Blob::bytes).orElse(null),
                        work.resolve("overlay.tar.gz")));
            }
            BaseImage base = in.base().image();
            StoredInstallerImage image = InstallerImage.store(blobs, base, layers, in.arch().goName(),
                    base.reference(), stored);
            Path out = work.resolve("installer.json");
            Files.write(out, image.toJson());
            return new BuildOutput(out, stored.keys(), stored);
        } catch (Exception | Error e) {
            stored.close();
            throw e;
        }
    }

    /** The record is served as the docker-save tarball, streamed from the blobs it holds. */
    @Override
    public ArtifactLease served(ArtifactLease record) {
        return InstallerTarball.lease(record, blobs);
    }
}
