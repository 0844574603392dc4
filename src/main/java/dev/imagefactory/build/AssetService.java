package dev.imagefactory.build;

import dev.imagefactory.build.initramfs.InitramfsBuilder;
import dev.imagefactory.build.initramfs.Squashfs;
import dev.imagefactory.build.iso.IsoBuilder;
import dev.imagefactory.build.iso.IsoTools;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.catalog.TalosVersion;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.schematic.SchematicId;
import dev.imagefactory.schematic.SchematicService;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns an {@code /image/{schematic}/{version}/{path}} request into an artifact: checks in the reference's order
 * (schematic → version → path → schematic customisations against the version), then hands the request to the
 * step for the output kind, which finds it in the cache or builds it.
 */
@ApplicationScoped
public class AssetService {

    private final SchematicService schematics;
    private final Catalog catalog;
    private final KernelStep kernel;
    private final CmdlineStep cmdline;
    private final InitramfsStep initramfs;
    private final UkiStep uki;
    private final IsoStep iso;
    private final InstallerStep installer;

    private final SecureBootKeys secureBoot;

    @Inject
    AssetService(SchematicService schematics, Catalog catalog, ReleaseSource releases, ArtifactBuilds builds,
            FactoryConfig config, SecureBootKeys secureBoot, BlobStore blobs) {
        this.schematics = schematics;
        this.secureBoot = secureBoot;
        this.catalog = catalog;
        ReleaseFiles files = new ReleaseFiles(releases);
        ProcessRunner runner = new ProcessRunner(config.build().timeout().plus(Duration.ofMinutes(1)));
        this.kernel = new KernelStep(files, builds);
        this.cmdline = new CmdlineStep(builds);
        this.initramfs = new InitramfsStep(files, releases, builds,
                new InitramfsBuilder.Tools(runner, new Squashfs(runner)),
                config.externalUrl());
        this.uki = new UkiStep(files, initramfs, builds, secureBoot);
        this.iso = new IsoStep(files, initramfs, builds, new IsoBuilder(new IsoTools(runner)), secureBoot);
        this.installer = new InstallerStep(releases, catalog, files, initramfs, builds, secureBoot, blobs);
    }

    /** Parses and checks a request up to (not including) the build. */
    public BuildRequest request(String schematicId, String version, AssetPath path) {
        return request(schematic(schematicId), version, path);
    }

    /** The stored schematic by its ID as the client wrote it (400 for a malformed ID, 404 for an unknown one). */
    public CanonicalSchematic schematic(String schematicId) {
        return schematics.get(SchematicId.parse(schematicId));
    }

    /** {@link #request(String, String, AssetPath)} for a schematic already looked up (several assets of one request). */
    public BuildRequest request(CanonicalSchematic schematic, String version, AssetPath path) {
        TalosVersion talos = TalosVersion.parse(version);
        String versionTag = version.startsWith("v") ? version : "v" + version;
        Profile profile = Profile.of(schematic.id(), talos, path);
        if (profile.secureBoot()) {
            secureBoot.requireEnabled(); // 400 with the reason, like upstream's "secure boot is disabled"
        }
        catalog.requireAvailable(talos);
        List<OfficialExtension> extensions = checkCustomizations(profile, schematic.schematic());
        BuildRequest request = new BuildRequest(profile, schematic, versionTag, extensions);
        if (profile.kind() != OutputKind.KERNEL && profile.kind() != OutputKind.INITRAMFS) {
            CmdlineStep.cmdline(request); // refuses a command line over the kernel's limit before any build starts
        }
        return request;
    }

    /**
     * The asset, from the cache or built, leased: whoever takes the future's value closes the {@link Asset} when done
     * with it. Waiting holds no thread: the future completes on the thread that finished the last build. Refusals
     * found before building are thrown here; those found while building (and
     * {@link dev.imagefactory.cache.BuildQueueFullException}) fail the future, possibly wrapped in a
     * {@link java.util.concurrent.CompletionException}.
     */
    public CompletableFuture<Asset> asset(BuildRequest request, AssetPath path) {
        CompletableFuture<ArtifactLease> artifact = switch (request.profile().kind()) {
            case KERNEL -> kernel.build(request);
            case CMDLINE -> cmdline.build(request);
            case INITRAMFS -> initramfs.build(request);
            case UKI -> uki.build(request);
            case ISO -> iso.build(request);
            case INSTALLER -> installer.build(request);
            default -> throw new NotImplementedYetException(request.profile().kind().talosName()
                    + " assets are not built by this factory yet");
        };
        return artifact.thenApply(a -> new Asset(a, path.filename(), path.contentType()));
    }

    /**
     * The refusals of upstream's EnhanceFromSchematic that do not need the build itself (spec §8.3, §8.5); returns
     * the official extensions resolved for outputs that carry them.
     */
    private List<OfficialExtension> checkCustomizations(Profile profile, Schematic schematic) {
        Quirks quirks = profile.quirks();
        boolean usesExtensions = profile.kind() != OutputKind.KERNEL && profile.kind() != OutputKind.CMDLINE;
        String config = schematic.customization().embeddedMachineConfiguration();
        if (usesExtensions && config != null && !config.isEmpty() && !quirks.supportsEmbeddedConfig()) {
            throw new InvalidInputException("embedding configuration is not supported for Talos version "
                    + profile.version());
        }
        Schematic.Overlay overlay = schematic.overlay();
        if (overlay != null && overlay.name() != null && !overlay.name().isEmpty()) {
            if (!quirks.supportsOverlay()) {
                throw new InvalidInputException("overlay is not supported for Talos version " + profile.version());
            }
            if (usesExtensions) {
                boolean known = catalog.overlays(profile.version()).stream().anyMatch(o -> o.name().equals(overlay.name()));
                if (!known) {
                    throw new InvalidInputException("official overlay \"" + overlay.name()
                            + "\" is not available for Talos version " + profile.version());
                }
            }
        }
        return usesExtensions
                ? catalog.resolveExtensions(schematic.customization().officialExtensions(), profile.version())
                : List.of();
    }
}
