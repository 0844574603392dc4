package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotImplementedYetException;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.schematic.SchematicService;
import dev.imagefactory.secureboot.SecureBootKeys;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Turns an {@code /image/{schematic}/{version}/{path}} request into an artifact: checks in the reference's order
 * (schematic → version → path → schematic customisations against the version), has the step for the output kind
 * plan it (found by kind among the {@link OutputStep} beans), then has the {@link PlanScheduler} find or build it.
 */
@ApplicationScoped
public class AssetService {

    private final SchematicService schematics;
    private final Catalog catalog;
    private final SecureBootKeys secureBoot;
    private final PlanScheduler scheduler;
    private final Map<OutputKind, OutputStep> steps = new EnumMap<>(OutputKind.class);

    @Inject
    AssetService(SchematicService schematics, Catalog catalog, SecureBootKeys secureBoot, PlanScheduler scheduler,
            @All List<OutputStep> steps) {
        this.schematics = schematics;
        this.catalog = catalog;
        this.secureBoot = secureBoot;
        this.scheduler = scheduler;
        for (OutputStep step : steps) {
            if (this.steps.put(step.output(), step) != null) {
                throw new IllegalStateException("two steps build " + step.output().talosName());
            }
        }
    }

    /** Parses and checks a request up to (not including) the build. */
    public BuildRequest request(String schematicId, String version, AssetPath path) {
        return request(schematic(schematicId), version, path);
    }

    /**
     * {@code path} parsed by {@code parser} with the reference's precedence: the schematic is looked up before the
     * path is refused, so an unknown schematic with a bad path is a 404, not a 400. The path is parsed first (cheap,
     * no storage); the schematic is looked up only when the path is refused.
     */
    public AssetPath parsePath(String schematicId, String path, Function<String, AssetPath> parser) {
        try {
            return parser.apply(path);
        } catch (InvalidInputException refused) {
            schematic(schematicId); // 404 when the schematic is unknown: that answer comes first
            throw refused;
        }
    }

    /** The stored schematic by its ID as the client wrote it (404 for an unknown or malformed one, as the reference). */
    public CanonicalSchematic schematic(String schematicId) {
        return schematics.get(schematicId);
    }

    /** {@link #request(String, String, AssetPath)} for a schematic already looked up (several assets of one request). */
    public BuildRequest request(CanonicalSchematic schematic, String version, AssetPath path) {
        TalosVersion talos = TalosVersion.parse(version);
        String versionTag = version.startsWith("v") ? version : "v" + version;
        Profile profile = path.profile(schematic.id(), talos);
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
     * {@link dev.imagefactory.errors.BuildQueueFullException}) fail the future, possibly wrapped in a
     * {@link java.util.concurrent.CompletionException}.
     */
    public CompletableFuture<Asset> asset(BuildRequest request, AssetPath path) {
        return scheduler.lease(plan(request), subject(request, path))
                .thenApply(a -> new Asset(a, path.filename(), path.contentType()));
    }

    /** What a build for {@code request} makes, as the client named it (the asset, not its checksum sidecar). */
    static BuildSubject subject(BuildRequest request, AssetPath path) {
        return new BuildSubject(request.schematic().id().value(), request.versionTag(), path.filename());
    }

    /** The plan of {@code request}'s output; throws the refusals found before building. Builds nothing. */
    public BuildPlan plan(BuildRequest request) {
        OutputStep step = steps.get(request.profile().kind());
        if (step == null) {
            throw new NotImplementedYetException(request.profile().kind().talosName()
                    + " assets are not built by this factory yet");
        }
        return step.plan(request);
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
