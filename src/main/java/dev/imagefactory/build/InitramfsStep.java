package dev.imagefactory.build;

import dev.imagefactory.secureboot.PcrSignature;
import dev.imagefactory.secureboot.SecureBootKeys;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.PlanValue;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.build.initramfs.ExtensionManifestFile;
import dev.imagefactory.build.initramfs.ExtensionSource;
import dev.imagefactory.build.initramfs.InitramfsBuilder;
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
import java.util.Optional;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * {@code initramfs-<arch>.xz}: the release's initramfs rebuilt with the schematic's official extensions, the
 * {@code schematic} extension and, from Talos 1.12, the {@code embedded-config} extension (talos-imager.md §1.6,
 * §2). The plan names every input by digest, so its key is known before anything is pulled, and needs the squashfs
 * of each extension ({@link SquashfsStep}), which it packs. One initramfs per
 * schematic, version and arch, whatever output asks for it (the UKI, ISO and installer embed this one).
 */
@Singleton
class InitramfsStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "initramfs-1";

    /**
     * @param squashfs      the squashfs of each extension, in factory order: {@code extensions}, {@code schematic},
     *                      then {@code embedded-config}
     * @param schematicText the canonical schematic, written into the {@code schematic} extension with its ID
     * @param externalUrl   this factory's URL, written into the {@code schematic} extension
     */
    record Inputs(ReleaseInput base, TalosVersion version, Quirks quirks, Arch arch, String schematicId,
            String schematicText, String externalUrl, List<Extension> extensions, Optional<String> embeddedConfig,
            List<BuildPlan> squashfs) {
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
    private final SquashfsStep squashfs;
    private final InitramfsBuilder builder;
    private final String externalUrl;
    /**
     * Digests taken besides the SHA-256 while the compressor writes the initramfs: the other PCR banks', when this
     * factory signs SecureBoot UKIs (their PCR signature then need not hash the {@code .initrd} again, ~0.5 s of both
     * cores at Talos' size; taken beside the compressor, which leaves little of a core idle, they cost ~0.1 s).
     */
    private final List<String> alsoDigests;

    @Inject
    InitramfsStep(ReleaseFiles releaseFiles, ReleaseSource releases, SquashfsStep squashfs, InitramfsBuilder builder,
            FactoryConfig config, SecureBootKeys keys) {
        this(releaseFiles, releases, squashfs, builder, config.externalUrl(), keys.enabled());
    }

    InitramfsStep(ReleaseFiles releaseFiles, ReleaseSource releases, SquashfsStep squashfs, InitramfsBuilder builder,
            String externalUrl, boolean secureBoot) {
        this.releaseFiles = releaseFiles;
        this.releases = releases;
        this.squashfs = squashfs;
        this.builder = builder;
        this.externalUrl = externalUrl;
        this.alsoDigests = secureBoot ? PcrSignature.DIGESTS_BESIDE_SHA256 : List.of();
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
        Optional<String> embeddedConfig = Optional.ofNullable(
                request.schematic().schematic().customization().embeddedMachineConfiguration()).filter(c -> !c.isEmpty());
        BuildLabels labels = new BuildLabels(OutputKind.INITRAMFS.talosName(), profile.version().toString(),
                profile.arch().goName());
        Quirks quirks = request.quirks();
        String schematicId = profile.schematicId().value();
        String schematicText = request.schematic().canonicalText();
        List<BuildPlan> squashed = new ArrayList<>();
        for (OfficialExtension extension : request.extensions()) {
            squashed.add(squashfs.official(extension, profile.version(), profile.arch(), quirks, labels));
        }
        squashed.add(squashfs.schematic(schematicId, externalUrl, schematicText, quirks, labels));
        embeddedConfig.ifPresent(config -> squashed.add(
                squashfs.embeddedConfig(config.getBytes(StandardCharsets.UTF_8), quirks, labels)));
        Inputs inputs = new Inputs(releaseFiles.require(profile.version(), profile.arch(), BootFile.INITRAMFS),
                profile.version(), quirks, profile.arch(), schematicId, schematicText, externalUrl,
                request.extensions().stream().map(Extension::new).toList(), embeddedConfig, squashed);
        return BuildPlan.output(kind(), BUILDER_VERSION, inputs, labels);
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        List<ExtensionSource> sources = new ArrayList<>();
        for (Extension extension : in.extensions()) {
            ExtensionImage image = releases.extensionImage(in.version(), extension.official(), in.arch());
            sources.add(new ExtensionSource(ExtensionManifestFile.read(image.manifest()), image.rootfs()));
        }
        sources.add(VirtualExtensions.schematic(Files.createDirectories(work.resolve("schematic-extension")),
                in.schematicId(), in.externalUrl(), in.schematicText(), in.quirks().supportsOverlay()));
        if (in.embeddedConfig().isPresent()) {
            sources.add(VirtualExtensions.embeddedConfig(Files.createDirectories(work.resolve("config-extension")),
                    in.embeddedConfig().get().getBytes(StandardCharsets.UTF_8)));
        }
        List<InitramfsBuilder.PackedExtension> packed = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            packed.add(new InitramfsBuilder.PackedExtension(sources.get(i), needs.file(in.squashfs().get(i))));
        }
        Path out = Files.createDirectories(work.resolve("initramfs"));
        return builder.build(in.version(), in.quirks(), in.base().path(), packed, out, alsoDigests);
    }
}
