package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;

import dev.imagefactory.boot.SnakeoilKeys;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ExtensionImage;
import dev.imagefactory.catalog.ImageRef;
import dev.imagefactory.catalog.InstallerBaseKind;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.SchematicCodec;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The steps wired by hand over a release whose files exist only as digests (the SHA-256 of their name, plus a salt a
 * test can change for one file), for planning without tools, files or a running factory. SecureBoot signs with
 * Debian OVMF's snakeoil keys, so fingerprints are the same on every machine.
 */
final class PlanFixture {

    static final String EXTERNAL_URL = "https://factory.example";

    final ReleaseSource releases;
    final SigningMaterial signer;
    final KernelStep kernel;
    final CmdlineStep cmdline;
    final InitramfsStep initramfs;
    final UkiStep uki;
    final IsoStep iso;
    final InstallerStep installer;
    final DiskImageStep disk;
    private final Map<OutputKind, OutputStep> outputs;

    PlanFixture() {
        this(Map.of(), snakeoil(), EXTERNAL_URL);
    }

    /**
     * @param salts extra text hashed into the digest of the named boot files ({@code v1.11.0/amd64/vmlinuz}) or
     *              base images ({@code v1.11.0/amd64/installer-base}), to change one input
     */
    PlanFixture(Map<String, String> salts, SigningMaterial signer, String externalUrl) {
        this.releases = new DigestsOnlyRelease(salts);
        this.signer = signer;
        SecureBootKeys keys = new SecureBootKeys(null) {
            @Override
            public Optional<SigningMaterial> material() {
                return Optional.of(signer);
            }
        };
        ReleaseFiles files = new ReleaseFiles(releases);
        kernel = new KernelStep(files);
        cmdline = new CmdlineStep();
        initramfs = new InitramfsStep(files, releases, new SquashfsStep(releases, null), null, externalUrl, false);
        uki = new UkiStep(files, initramfs, keys);
        SignedSystemdBoot signedSystemdBoot = new SignedSystemdBoot(files);
        iso = new IsoStep(files, initramfs, uki, signedSystemdBoot, null, keys);
        installer = new InstallerStep(releases, null, files, initramfs, uki, signedSystemdBoot, keys, null, null);
        disk = new DiskImageStep(files, initramfs, uki, signedSystemdBoot, new DiskFormatStep(null),
                new DiskCompressionStep(null), keys, null, null, new SchematicOverlay(null, releases));
        outputs = Map.of(OutputKind.KERNEL, kernel, OutputKind.CMDLINE, cmdline, OutputKind.INITRAMFS, initramfs,
                OutputKind.UKI, uki, OutputKind.ISO, iso, OutputKind.INSTALLER, installer, OutputKind.IMAGE, disk);
    }

    static SigningMaterial snakeoil() {
        return SigningMaterial.fromFiles(SnakeoilKeys.key(), SnakeoilKeys.CERT, SnakeoilKeys.key());
    }

    /** The plan of {@code path} for a schematic (YAML) and version, as the step for its output kind makes it. */
    BuildPlan plan(String schematicYaml, String version, String path) {
        return outputs.get(AssetPath.parse(path).kind()).plan(request(schematicYaml, version, path));
    }

    /** A request as {@link AssetService#request} makes it, with official extensions resolved to fixture digests. */
    static BuildRequest request(String schematicYaml, String version, String path) {
        CanonicalSchematic schematic = SchematicCodec.parse(schematicYaml.getBytes(StandardCharsets.UTF_8));
        TalosVersion talos = TalosVersion.parse(version);
        Profile profile = AssetPath.parse(path).profile(schematic.id(), talos);
        boolean carriesExtensions = profile.kind() != OutputKind.KERNEL && profile.kind() != OutputKind.CMDLINE;
        List<OfficialExtension> extensions = carriesExtensions
                ? schematic.schematic().customization().officialExtensions().stream().map(PlanFixture::extension).toList()
                : List.of();
        return new BuildRequest(profile, schematic, version.startsWith("v") ? version : "v" + version, extensions);
    }

    static OfficialExtension extension(String name) {
        return new OfficialExtension(ImageRef.parse("ghcr.io/" + name.replace("standin/", "siderolabs/") + ":1.0.0"),
                sha256("extension " + name), "fixture", "fixture extension " + name);
    }

    static String sha256(String text) {
        return Digests.sha256(text.getBytes(StandardCharsets.UTF_8)).hex();
    }

    /** A release with every boot file and base image, known by digest only (nothing to read at planning time). */
    private record DigestsOnlyRelease(Map<String, String> salts) implements ReleaseSource {

        @Override
        public Set<TalosVersion> versions() {
            return Set.of();
        }

        @Override
        public Optional<List<OfficialExtension>> extensions(TalosVersion version) {
            return Optional.empty();
        }

        @Override
        public Optional<List<OfficialOverlay>> overlays(TalosVersion version) {
            return Optional.empty();
        }

        @Override
        public Optional<ReleaseFile> bootFile(TalosVersion version, Arch arch, BootFile file) {
            String name = tag(version) + "/" + arch.goName() + "/" + file.fileName();
            return Optional.of(new ReleaseFile(Path.of("/nonexistent", name), Digest.sha256Hex(sha256(name + salts.getOrDefault(name, "")))));
        }

        @Override
        public ExtensionImage extensionImage(TalosVersion version, OfficialExtension extension, Arch arch) {
            throw new UnsupportedOperationException("planning pulls no image");
        }

        @Override
        public OverlayImage overlayImage(TalosVersion version, OfficialOverlay overlay, Arch arch) {
            throw new UnsupportedOperationException("no overlays in this fixture");
        }

        @Override
        public Optional<BaseImage> installerBase(TalosVersion version, Arch arch, InstallerBaseKind kind) {
            String name = tag(version) + "/" + arch.goName() + "/" + kind.repositoryName();
            String salt = salts.getOrDefault(name, "");
            Digest config = Digests.sha256((name + " config" + salt).getBytes(StandardCharsets.UTF_8));
            List<BaseLayer> layers = List.of(layer(name + " layer 1" + salt), layer(name + " layer 2" + salt));
            return Optional.of(new BaseImage("siderolabs/" + kind.repositoryName() + ":v" + version,
                    Path.of("/nonexistent/config.json"), config.toString(), layers));
        }

        private static String tag(TalosVersion version) {
            String release = version.release().toString();
            return release.startsWith("v") ? release : "v" + release;
        }

        private static BaseLayer layer(String text) {
            Digest digest = Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
            return new BaseLayer(new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", digest, 1),
                    Path.of("/nonexistent/layer"), digest.toString());
        }
    }
}
