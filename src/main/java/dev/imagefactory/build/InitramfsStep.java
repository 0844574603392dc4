package dev.imagefactory.build;

import dev.imagefactory.build.initramfs.ExtensionManifestFile;
import dev.imagefactory.build.initramfs.ExtensionSource;
import dev.imagefactory.build.initramfs.InitramfsBuilder;
import dev.imagefactory.build.initramfs.IntermediateStore;
import dev.imagefactory.build.initramfs.VirtualExtensions;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ExtensionImage;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.schematic.Schematic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code initramfs-<arch>.xz}: the release's initramfs rebuilt with the schematic's official extensions, the
 * {@code schematic} extension and, from Talos 1.12, the {@code embedded-config} extension (talos-imager.md §1.6,
 * §2). The cache key names every input by digest, so it is known before anything is pulled.
 */
final class InitramfsStep {

    private final ReleaseFiles releaseFiles;
    private final ReleaseSource releases;
    private final ArtifactBuilds builds;
    private final InitramfsBuilder.Tools tools;
    private final String externalUrl;

    InitramfsStep(ReleaseFiles releaseFiles, ReleaseSource releases, ArtifactBuilds builds,
            InitramfsBuilder.Tools tools, String externalUrl) {
        this.releaseFiles = releaseFiles;
        this.releases = releases;
        this.builds = builds;
        this.tools = tools;
        this.externalUrl = externalUrl;
    }

    CompletableFuture<ArtifactLease> build(BuildRequest request) {
        Profile profile = request.profile();
        Quirks quirks = request.quirks();
        Schematic.Customization customization = request.schematic().schematic().customization();
        List<OfficialExtension> extensions = request.extensions();
        String embeddedConfig = customization.embeddedMachineConfiguration();
        boolean withConfig = embeddedConfig != null && !embeddedConfig.isEmpty();
        ReleaseFile base = releaseFiles.require(profile.version(), profile.arch(), BootFile.INITRAMFS);

        List<String> inputs = new ArrayList<>();
        inputs.add("input.initramfs=" + base.sha256());
        inputs.add("external-url=" + externalUrl);
        extensions.forEach(e -> inputs.add("extension=" + e.ref() + "@" + e.digest()));
        CacheKey key = Keys.of(profile, InitramfsBuilder.BUILDER_VERSION, inputs.toArray(String[]::new));
        BuildLabels labels = Keys.labels(profile);

        return builds.leaseAsync(key, labels, work -> {
            List<ExtensionSource> sources = new ArrayList<>();
            for (OfficialExtension extension : extensions) {
                ExtensionImage image = releases.extensionImage(profile.version(), extension, profile.arch());
                // the OCI source names an image by its (multi-arch) index digest: the squashfs is per arch
                sources.add(new ExtensionSource(ExtensionManifestFile.read(image.manifest()), image.rootfs(),
                        profile.arch().goName() + ":" + image.identity(), Map.of()));
            }
            sources.add(VirtualExtensions.schematic(Files.createDirectories(work.resolve("schematic-extension")),
                    profile.schematicId().value(), externalUrl, request.schematic().canonicalText(),
                    quirks.supportsOverlay()));
            if (withConfig) {
                sources.add(VirtualExtensions.embeddedConfig(Files.createDirectories(work.resolve("config-extension")),
                        embeddedConfig.getBytes(StandardCharsets.UTF_8)));
            }
            // the squashfs files stay leased until the initramfs that packs them is written
            try (HeldLeases held = new HeldLeases()) {
                IntermediateStore intermediates = (intermediateKey, kind, build) ->
                        held.file(builds.leaseIntermediate(intermediateKey, kind, labels, build::build));
                Path out = Files.createDirectories(work.resolve("initramfs"));
                return tools.builder(intermediates).build(profile.version(), quirks, base.path(), sources, out);
            }
        });
    }
}
