package dev.imagefactory.build;

import dev.imagefactory.build.initramfs.Squashfs;
import dev.imagefactory.build.initramfs.SquashfsCompression;
import dev.imagefactory.build.initramfs.VirtualExtensions;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One extension's squashfs, as the initramfs packs it (talos-imager.md §2.3): the extension's {@code rootfs/} without
 * its firmware tree (which goes into the initramfs itself), compressed as the quirks say, with its SELinux labels.
 * A local intermediate ({@code output_kind="extension-squashfs"}) keyed by its content, so schematics sharing an
 * official extension share its squashfs; the {@code schematic} and {@code embedded-config} extensions are planned by
 * what the factory writes into them.
 */
@Singleton
class SquashfsStep implements FileStep {

    static final String INTERMEDIATE = "extension-squashfs";
    private static final String BUILDER_VERSION = "extension-squashfs-1";

    /**
     * @param firmwarePath the tree left out of the squashfs (when the extension has one)
     * @param labels       SELinux labels by path, sorted
     */
    record Inputs(Content content, SquashfsCompression compression, String firmwarePath, List<Label> labels) {
    }

    /** What the squashfs is made of. */
    sealed interface Content permits Official, Schematic, EmbeddedConfig {
    }

    /**
     * An official extension image: its {@code arch} image of {@code ref@digest}, as listed by {@code listedBy}
     * (the release whose listing locates it: a release directory holds its own extension images).
     */
    record Official(InitramfsStep.Extension image, Arch arch, TalosVersion listedBy) implements Content {
    }

    /** The {@code schematic} extension; {@code withExtraInfo} writes the schematic text into its metadata. */
    record Schematic(String schematicId, String externalUrl, String schematicText, boolean withExtraInfo)
            implements Content {
    }

    /** The {@code embedded-config} extension with the machine configuration's bytes. */
    record EmbeddedConfig(Blob config) implements Content {
    }

    record Label(String path, String context) {
    }

    private final ReleaseSource releases;
    private final Squashfs squashfs;

    @Inject
    SquashfsStep(ReleaseSource releases, Squashfs squashfs) {
        this.releases = releases;
        this.squashfs = squashfs;
    }

    @Override
    public StepKind kind() {
        return StepKind.EXTENSION_SQUASHFS;
    }

    /** The squashfs of an official extension for {@code version}'s initramfs on {@code arch}. */
    BuildPlan official(OfficialExtension extension, TalosVersion version, Arch arch, Quirks quirks,
            BuildLabels initramfs) {
        return plan(new Official(new InitramfsStep.Extension(extension), arch, version), quirks, Map.of(), initramfs);
    }

    /** The squashfs of the {@code schematic} extension. */
    BuildPlan schematic(String schematicId, String externalUrl, String schematicText, Quirks quirks,
            BuildLabels initramfs) {
        return plan(new Schematic(schematicId, externalUrl, schematicText, quirks.supportsOverlay()), quirks,
                Map.of(), initramfs);
    }

    /** The squashfs of the {@code embedded-config} extension. */
    BuildPlan embeddedConfig(byte[] config, Quirks quirks, BuildLabels initramfs) {
        return plan(new EmbeddedConfig(new Blob(config)), quirks, VirtualExtensions.EMBEDDED_CONFIG_LABELS,
                initramfs);
    }

    private BuildPlan plan(Content content, Quirks quirks, Map<String, String> labels, BuildLabels initramfs) {
        List<Label> sorted = labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Label(e.getKey(), e.getValue())).toList();
        return BuildPlan.intermediate(kind(), BUILDER_VERSION,
                new Inputs(content, SquashfsCompression.of(quirks), quirks.firmwarePath(), sorted),
                initramfs.intermediate(INTERMEDIATE));
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        Path rootfs = rootfs(in.content(), Files.createDirectories(work.resolve("extension")));
        String firmware = in.firmwarePath().substring(1);
        List<String> exclude = Files.isDirectory(rootfs.resolve(firmware)) ? List.of(firmware) : List.of();
        Map<String, String> labels = new LinkedHashMap<>();
        in.labels().forEach(label -> labels.put(label.path(), label.context()));
        Path out = work.resolve("layer.sqsh");
        squashfs.create(rootfs, out, in.compression(), labels, exclude);
        Reproducible.normalize(out);
        return out;
    }

    /** The extension's tree: the pulled image's (read only), or the generated one written into {@code dir}. */
    private Path rootfs(Content content, Path dir) throws Exception {
        if (content instanceof Official official) {
            return releases.extensionImage(official.listedBy(), official.image().official(), official.arch()).rootfs();
        }
        if (content instanceof Schematic schematic) {
            return VirtualExtensions.schematic(dir, schematic.schematicId(), schematic.externalUrl(),
                    schematic.schematicText(), schematic.withExtraInfo()).rootfs();
        }
        EmbeddedConfig config = (EmbeddedConfig) content;
        return VirtualExtensions.embeddedConfig(dir, config.config().bytes()).rootfs();
    }
}
