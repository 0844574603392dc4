package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.PlanValue;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.build.initramfs.ExtensionManifestFile;
import dev.imagefactory.build.initramfs.ExtensionSource;
import dev.imagefactory.build.initramfs.InitramfsBuilder;
import dev.imagefactory.build.initramfs.IntermediateStore;
import dev.imagefactory.build.initramfs.VirtualExtensions;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ExtensionImage;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.config.FactoryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * {@code initramfs-<arch>.xz}: the release's initramfs rebuilt with the schematic's official extensions, the
 * {@code schematic} extension and, from Talos 1.12, the {@code embedded-config} extension (talos-imager.md §1.6,
 * §2). The plan names every input by digest, so its key is known before anything is pulled. One initramfs per
 * schematic, version and arch, whatever output asks for it (the UKI, ISO and installer embed this one).
 */
@Singleton
class InitramfsStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "initramfs-1";

    /**
     * @param schematicText the canonical schematic, written into the {@code schematic} extension with its ID
     * @param externalUrl   this factory's URL, written into the {@code schematic} extension
     */
    record Inputs(ReleaseInput base, TalosVersion version, Quirks quirks, Arch arch, String schematicId,
            String schematicText, String externalUrl, List<Extension> extensions, Optional<String> embeddedConfig) {
    }

    /** An official extension, identified by its image reference and (index) digest. */
    record Extension(OfficialExtension official) implements PlanValue {
        @Override
        public String canonical() {
            return official.ref() + "@" + official.digest();
        }
    }

    private final ReleaseFiles releaseFiles;
    private final ReleaseSource releases;
    private final ArtifactBuilds builds;
    private final InitramfsBuilder.Tools tools;
    private final String externalUrl;

    @Inject
    InitramfsStep(ReleaseFiles releaseFiles, ReleaseSource releases, ArtifactBuilds builds,
            InitramfsBuilder.Tools tools, FactoryConfig config) {
        this(releaseFiles, releases, builds, tools, config.externalUrl());
    }

    InitramfsStep(ReleaseFiles releaseFiles, ReleaseSource releases, ArtifactBuilds builds,
            InitramfsBuilder.Tools tools, String externalUrl) {
        this.releaseFiles = releaseFiles;
        this.releases = releases;
        this.builds = builds;
        this.tools = tools;
        this.externalUrl = externalUrl;
    }

    @Override
    public StepKind kind() {
        return StepKind.INITRAMFS;
    }

    @Override
    public OutputKind output() {
        return OutputKind.INITRAMFS;
    }

    /** The initramfs of {@code request}'s schematic, version and arch (whatever output the request is for). */
    @Override
    public BuildPlan plan(BuildRequest request) {
        Profile profile = request.profile();
        String embeddedConfig = request.schematic().schematic().customization().embeddedMachineConfiguration();
        Inputs inputs = new Inputs(releaseFiles.require(profile.version(), profile.arch(), BootFile.INITRAMFS),
                profile.version(), request.quirks(), profile.arch(), profile.schematicId().value(),
                request.schematic().canonicalText(), externalUrl,
                request.extensions().stream().map(Extension::new).toList(),
                Optional.ofNullable(embeddedConfig).filter(c -> !c.isEmpty()));
        return BuildPlan.output(kind(), BUILDER_VERSION, inputs, new BuildLabels(OutputKind.INITRAMFS.talosName(),
                profile.version().toString(), profile.arch().goName()));
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        List<ExtensionSource> sources = new ArrayList<>();
        for (Extension extension : in.extensions()) {
            ExtensionImage image = releases.extensionImage(in.version(), extension.official(), in.arch());
            // the OCI source names an image by its (multi-arch) index digest: the squashfs is per arch
            sources.add(new ExtensionSource(ExtensionManifestFile.read(image.manifest()), image.rootfs(),
                    in.arch().goName() + ":" + image.identity(), Map.of()));
        }
        sources.add(VirtualExtensions.schematic(Files.createDirectories(work.resolve("schematic-extension")),
                in.schematicId(), in.externalUrl(), in.schematicText(), in.quirks().supportsOverlay()));
        if (in.embeddedConfig().isPresent()) {
            sources.add(VirtualExtensions.embeddedConfig(Files.createDirectories(work.resolve("config-extension")),
                    in.embeddedConfig().get().getBytes(StandardCharsets.UTF_8)));
        }
        // the squashfs files stay leased until the initramfs that packs them is written
        try (HeldLeases held = new HeldLeases()) {
            IntermediateStore intermediates = (intermediateKey, kind, build) -> held.file(
                    builds.leaseIntermediate(intermediateKey, kind, plan.labels(), build::build));
            Path out = Files.createDirectories(work.resolve("initramfs"));
            return tools.builder(intermediates).build(in.version(), in.quirks(), in.base().path(), sources, out);
        }
    }
}
