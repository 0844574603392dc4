package dev.imagefactory.ui;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.schematic.SchematicService;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.ui.ViewModels.Choice;
import dev.imagefactory.ui.ViewModels.VersionGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The wizard's logic: which step a state shows (the first one whose selection is missing, or an earlier one the URL
 * asks for with {@code step}), what that step offers, and the errors to show next to their control. Rendering is
 * the templates' business; creating a schematic is {@link SchematicDraft}'s and {@link SchematicService}'s.
 */
@ApplicationScoped
public class Wizard {

    /** Boards (overlays) exist from Talos 1.7: older versions are not offered for them. */
    static final TalosVersion FIRST_WITH_BOARDS = TalosVersion.of(1, 7, 0);
    /** The bootloader field of schematics is honoured from 1.12 (the reference's 1.12.0-alpha.2). */
    static final TalosVersion FIRST_WITH_BOOTLOADER = TalosVersion.of(1, 12, 0);

    private final Catalog catalog;
    private final SchematicService schematics;
    private final SecureBootKeys secureBootKeys;
    private final FinalPage finalPage;

    @Inject
    public Wizard(Catalog catalog, SchematicService schematics, SecureBootKeys secureBootKeys, FinalPage finalPage) {
        this.catalog = catalog;
        this.schematics = schematics;
        this.secureBootKeys = secureBootKeys;
        this.finalPage = finalPage;
    }

    /** The page for a state read from a URL. */
    public WizardPage show(WizardState requested) {
        Map<String, String> errors = new LinkedHashMap<>();
        WizardState state = fromSchematic(requested, errors);
        Step shown = stepFor(state, errors);
        WizardPage page = new WizardPage(shown, state);
        page.errors.putAll(errors);
        fill(page);
        return page;
    }

    /** The customization step again, with the services' refusal next to the field that caused it. */
    public WizardPage refused(WizardState state, String machineConfig, InvalidInputException refusal) {
        WizardPage page = new WizardPage(Step.CUSTOMIZATION, state);
        page.errors.put(SchematicDraft.fieldOf(refusal.getMessage()), refusal.getMessage());
        page.machineConfig = machineConfig == null ? "" : machineConfig;
        fill(page);
        return page;
    }

    /** Creates the schematic the customization step describes; the state of its final page. */
    public WizardState create(WizardState state, String machineConfig) {
        TalosVersion version = TalosVersion.parse(state.version());
        catalog.resolveExtensions(state.selectedExtensions(), version); // an extension gone meanwhile: 400 here
        Optional<OfficialOverlay> overlay = state.isSbc() ? Optional.of(board(state)) : Optional.empty();
        byte[] body = SchematicDraft.of(state, overlay, machineConfig);
        CanonicalSchematic created = schematics.create(body);
        return state.withSchematic(created.id().value(), state.extensions(), state.cmdline(), state.bootloader(),
                state.overlayOptions()).withArch(effectiveArch(state)).withStep(Step.FINAL.id());
    }

    /** A {@code schematic-id} in the URL fills the selections the schematic decides (the board, too). */
    private WizardState fromSchematic(WizardState state, Map<String, String> errors) {
        if (state.schematicId() == null) {
            return state;
        }
        CanonicalSchematic schematic;
        try {
            schematic = schematics.get(state.schematicId());
        } catch (NotFoundException e) {
            errors.put("schematic-id", e.getMessage());
            return state.withoutSchematic();
        }
        Schematic.Customization c = schematic.schematic().customization();
        List<String> extensions = c.officialExtensions().isEmpty() ? List.of(WizardState.NONE)
                : c.officialExtensions().stream().sorted().toList();
        String cmdline = String.join(" ", c.extraKernelArgs());
        String bootloader = c.bootloader() == Bootloader.NONE ? null : c.bootloader().text();
        Schematic.Overlay overlay = schematic.schematic().overlay();
        String options = overlay.options().isEmpty() ? null : SchematicDraft.yaml(overlay.options());
        WizardState filled = state.withSchematic(schematic.id().value(), extensions, blankToNull(cmdline), bootloader,
                options);
        if (!overlay.name().isEmpty() && (filled.target() == null || filled.isSbc())) {
            filled = filled.withTarget(WizardState.SBC, overlay.name());
        }
        return filled;
    }

    /** The first step whose selection is missing or wrong, or an earlier one asked for. */
    private Step stepFor(WizardState state, Map<String, String> errors) {
        Step step = askedOrFirstUnmet(state, errors);
        // a step that does not apply (no platform for metal, one architecture...) passes on to the next one; the
        // first unmet step always applies, so this never skips past it
        while (!applies(step, state)) {
            step = Step.values()[step.ordinal() + 1];
        }
        return step;
    }

    private boolean applies(Step step, WizardState state) {
        return switch (step) {
            case PLATFORM -> !state.isMetal();
            case ARCH -> TalosVersion.tryParse(state.version()).map(v -> archStepNeeded(state, v)).orElse(true);
            case EXTENSIONS, CUSTOMIZATION -> state.schematicId() == null;
            default -> true;
        };
    }

    private Step askedOrFirstUnmet(WizardState state, Map<String, String> errors) {
        Step firstUnmet = firstUnmet(state, errors);
        Optional<Step> asked = Optional.ofNullable(state.step()).flatMap(Step::parse);
        if (firstUnmet != null) {
            return asked.filter(s -> s.ordinal() < firstUnmet.ordinal()).orElse(firstUnmet);
        }
        if (state.schematicId() != null) {
            return asked.filter(s -> s != Step.FINAL).orElse(Step.FINAL);
        }
        Step step = asked.filter(s -> s != Step.FINAL).orElse(Step.EXTENSIONS);
        if (step.ordinal() > Step.EXTENSIONS.ordinal()) {
            try {
                catalog.resolveExtensions(state.selectedExtensions(), TalosVersion.parse(state.version()));
            } catch (InvalidInputException e) {
                errors.put("extensions", e.getMessage());
                return Step.EXTENSIONS;
            }
        }
        return step;
    }

    private Step firstUnmet(WizardState state, Map<String, String> errors) {
        if (state.target() == null) {
            return Step.HARDWARE;
        }
        if (!List.of(WizardState.METAL, WizardState.CLOUD, WizardState.SBC).contains(state.target())) {
            errors.put("target", "unknown hardware type \"" + state.target() + "\"");
            return Step.HARDWARE;
        }
        if (state.version() == null) {
            return Step.VERSION;
        }
        Optional<TalosVersion> version = TalosVersion.tryParse(state.version()).filter(v -> offered(state).contains(v));
        if (version.isEmpty()) {
            errors.put("version", "version " + state.version() + " is not available"
                    + (state.isSbc() ? " for single-board computers" : ""));
            return Step.VERSION;
        }
        if (state.isCloud() || state.isSbc()) {
            String field = state.isCloud() ? "platform" : "board";
            if (state.platformOrBoard().isEmpty()) {
                return Step.PLATFORM;
            }
            boolean known = state.isCloud()
                    ? CloudPlatform.offeredFor(version.get()).stream().anyMatch(p -> p.id().equals(state.platform()))
                    : catalog.overlays(version.get()).stream().anyMatch(o -> o.name().equals(state.board()));
            if (!known) {
                errors.put(field, (state.isCloud() ? "platform \"" : "board \"") + state.platformOrBoard().get()
                        + "\" is not available for Talos " + version.get());
                return Step.PLATFORM;
            }
        }
        if (archStepNeeded(state, version.get()) && state.arch() == null) {
            return Step.ARCH;
        }
        if (state.arch() != null && !archs(state).contains(state.arch())) {
            errors.put("arch", "architecture \"" + state.arch() + "\" is not available here");
            return Step.ARCH;
        }
        if (state.secureBoot() && !secureBootOffered(state, version.get())) {
            errors.put("secureboot", "SecureBoot is not available for this version and platform");
            return Step.ARCH;
        }
        return null;
    }

    private void fill(WizardPage page) {
        WizardState state = page.state;
        page.summary = summary(state);
        page.platformStepShown = !state.isMetal();
        page.archStepShown = applies(Step.ARCH, state);
        page.backUrl = back(page.step, state);
        switch (page.step) {
            case HARDWARE -> page.targets = List.of(
                    new Choice(WizardState.METAL, "metal", "", !state.isCloud() && !state.isSbc()),
                    new Choice(WizardState.CLOUD, "cloud", "", state.isCloud()),
                    new Choice(WizardState.SBC, "sbc", "", state.isSbc()));
            case VERSION -> page.versionGroups = versionGroups(state);
            case PLATFORM -> page.platforms = platforms(state);
            case ARCH -> {
                String chosen = effectiveArch(state);
                page.archs = archs(state).stream().map(a -> new Choice(a, a, "", a.equals(chosen))).toList();
                page.secureBootOffered = secureBootOffered(state, version(state));
            }
            case EXTENSIONS -> extensions(page);
            case CUSTOMIZATION -> {
                TalosVersion version = version(state);
                page.bootloaderOffered = !version.release().isBefore(FIRST_WITH_BOOTLOADER);
                String current = state.bootloader() == null ? "" : state.bootloader();
                page.bootloaders = List.of(new Choice("", "auto", "", current.isEmpty()),
                        new Choice(Bootloader.SD_BOOT.text(), "sd-boot", "", current.equals(Bootloader.SD_BOOT.text())),
                        new Choice(Bootloader.GRUB.text(), "grub", "", current.equals(Bootloader.GRUB.text())),
                        new Choice(Bootloader.DUAL_BOOT.text(), "dual-boot", "", current.equals(Bootloader.DUAL_BOOT.text())));
                page.machineConfigOffered = Quirks.of(version).supportsEmbeddedConfig();
                page.overlayOptionsOffered = state.isSbc();
            }
            case FINAL -> finalPage.fill(page, state.withArch(effectiveArch(state)));
        }
    }

    private OfficialOverlay board(WizardState state) {
        if (!state.isSbc()) {
            return null;
        }
        return catalog.overlays(version(state)).stream().filter(o -> o.name().equals(state.board())).findFirst()
                .orElseThrow(() -> new InvalidInputException("board \"" + state.board() + "\" is not available"));
    }

    /** The URL of the previous step, keeping every selection. */
    private String back(Step step, WizardState state) {
        Step previous = null;
        for (Step s : Step.values()) {
            if (s.ordinal() >= step.ordinal()) {
                break;
            }
            if (s == Step.PLATFORM && state.isMetal()) {
                continue;
            }
            if (s == Step.ARCH && state.version() != null && TalosVersion.tryParse(state.version()).isPresent()
                    && !archStepNeeded(state, TalosVersion.parse(state.version()))) {
                continue;
            }
            if ((s == Step.EXTENSIONS || s == Step.CUSTOMIZATION) && state.schematicId() != null) {
                continue;
            }
            previous = s;
        }
        if (step == Step.FINAL && state.schematicId() != null) {
            return null; // the edit link goes back into the steps the schematic decides
        }
        return previous == null ? null : state.withStep(previous.id()).url();
    }

    private String summary(WizardState state) {
        List<String> parts = new ArrayList<>();
        Optional.ofNullable(state.version()).ifPresent(parts::add);
        state.platformOrBoard().ifPresent(parts::add);
        Optional.ofNullable(state.arch()).ifPresent(parts::add);
        if (state.secureBoot()) {
            parts.add("SecureBoot");
        }
        return String.join(" · ", parts);
    }

    /** Versions offered for the hardware type: boards need 1.7 or later. */
    private List<TalosVersion> offered(WizardState state) {
        List<TalosVersion> versions = catalog.versions();
        if (state.isSbc()) {
            versions = versions.stream().filter(v -> !v.release().isBefore(FIRST_WITH_BOARDS)).toList();
        }
        return versions;
    }

    private List<VersionGroup> versionGroups(WizardState state) {
        List<TalosVersion> versions = new ArrayList<>(offered(state));
        versions.sort(Comparator.reverseOrder());
        String chosen = state.version() != null ? normalized(state.version())
                : catalog.latestStable().filter(versions::contains).map(TalosVersion::toString)
                        .orElse(versions.isEmpty() ? "" : versions.get(0).toString());
        Map<String, List<Choice>> groups = new LinkedHashMap<>();
        Map<String, Boolean> preRelease = new LinkedHashMap<>();
        for (TalosVersion v : versions) {
            boolean pre = !catalog.isStable(v);
            String key = v.major() + "." + v.minor() + (pre ? "-pre" : "");
            groups.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new Choice(v.toString(), v.toString(), "", v.toString().equals(chosen)));
            preRelease.put(key, pre);
        }
        List<VersionGroup> out = new ArrayList<>();
        groups.forEach((key, list) -> out.add(new VersionGroup(key.replace("-pre", ""), preRelease.get(key), list)));
        // stable groups first (newest first), then the pre-release groups
        out.sort(Comparator.comparing(VersionGroup::preRelease));
        return out;
    }

    private static String normalized(String version) {
        return version.startsWith("v") ? version : "v" + version;
    }

    private List<Choice> platforms(WizardState state) {
        TalosVersion version = version(state);
        if (state.isCloud()) {
            String chosen = state.platform() == null ? "aws" : state.platform();
            return CloudPlatform.offeredFor(version).stream()
                    .map(p -> new Choice(p.id(), p.label(), String.join(", ", p.archs().stream().map(Arch::goName).toList()),
                            p.id().equals(chosen)))
                    .toList();
        }
        List<OfficialOverlay> boards = catalog.overlays(version);
        String chosen = state.board() == null ? boards.isEmpty() ? "" : boards.get(0).name() : state.board();
        return boards.stream().map(o -> new Choice(o.name(), o.name(), o.image(), o.name().equals(chosen))).toList();
    }

    private void extensions(WizardPage page) {
        WizardState state = page.state;
        List<OfficialExtension> all = catalog.extensions(version(state));
        String query = state.query() == null ? "" : state.query().toLowerCase(Locale.ROOT);
        page.extensionCount = all.size();
        page.extensions = all.stream()
                .sorted(Comparator.comparing(OfficialExtension::name))
                .filter(e -> state.selected(e.name()) || query.isEmpty()
                        || e.name().toLowerCase(Locale.ROOT).contains(query)
                        || (e.description() != null && e.description().toLowerCase(Locale.ROOT).contains(query)))
                .map(e -> new Choice(e.name(), e.name(), e.description() == null ? "" : e.description(),
                        state.selected(e.name())))
                .toList();
    }

    private boolean archStepNeeded(WizardState state, TalosVersion version) {
        return archs(state).size() > 1 || secureBootOffered(state, version);
    }

    private List<String> archs(WizardState state) {
        if (state.isSbc()) {
            return List.of(Arch.ARM64.goName());
        }
        if (state.isCloud()) {
            return CloudPlatform.named(state.platform()).map(p -> p.archs().stream().map(Arch::goName).toList())
                    .orElse(List.of());
        }
        return List.of(Arch.AMD64.goName(), Arch.ARM64.goName());
    }

    private String effectiveArch(WizardState state) {
        List<String> archs = archs(state);
        if (state.arch() != null && archs.contains(state.arch())) {
            return state.arch();
        }
        return archs.isEmpty() ? Arch.AMD64.goName() : archs.get(0);
    }

    /** SecureBoot: UKIs exist (1.5), the platform boots them, and the factory has signing keys. */
    private boolean secureBootOffered(WizardState state, TalosVersion version) {
        if (!secureBootKeys.enabled() || !Quirks.of(version).supportsUki() || state.isSbc()) {
            return false;
        }
        return state.isMetal() || (state.isCloud() && CloudPlatform.named(state.platform()).map(CloudPlatform::secureBoot)
                .orElse(false));
    }

    private static TalosVersion version(WizardState state) {
        return TalosVersion.parse(state.version());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
