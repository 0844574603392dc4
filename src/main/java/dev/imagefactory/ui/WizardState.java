package dev.imagefactory.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Everything the wizard has been told so far, as it travels in the URL's query (and in the customization step's form):
 * the steps' selections. The embedded machine configuration is never part of it (it may hold secrets): it only travels
 * in the body of the customization step's POST and ends up in the schematic.
 *
 * @param extensions the selected extension names, sorted; {@link #NONE} alone means "none chosen"
 */
@io.quarkus.qute.TemplateData
public record WizardState(String target, String version, String platform, String board, String arch,
        boolean secureBoot, List<String> extensions, String cmdline, String bootloader, String overlayOptions,
        String schematicId, String step, String query) {

    /** The value of {@code extensions} that records "none selected" (as the reference's URLs do). */
    public static final String NONE = "-";

    public static final String METAL = "metal";
    public static final String CLOUD = "cloud";
    public static final String SBC = "sbc";

    /** Reads the state from query or form parameters; blank values count as absent. */
    public static WizardState from(Map<String, List<String>> params) {
        TreeSet<String> extensions = new TreeSet<>();
        for (String value : params.getOrDefault("extensions", List.of())) {
            if (value != null && !value.isBlank()) {
                extensions.add(value.trim());
            }
        }
        if (extensions.size() > 1) {
            extensions.remove(NONE);
        }
        return new WizardState(one(params, "target"), one(params, "version"), one(params, "platform"),
                one(params, "board"), one(params, "arch"), "true".equals(one(params, "secureboot")),
                List.copyOf(extensions), one(params, "cmdline"), one(params, "bootloader"),
                one(params, "overlay-options"), one(params, "schematic-id"), one(params, "step"), one(params, "q"));
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        if (values == null) {
            return null;
        }
        // the last non-blank value wins: a submit button's step overrides one carried in a hidden field
        String found = null;
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                found = value.strip();
            }
        }
        return found;
    }

    public boolean isCloud() {
        return CLOUD.equals(target);
    }

    public boolean isSbc() {
        return SBC.equals(target);
    }

    public boolean isMetal() {
        return METAL.equals(target);
    }

    /** The selected extensions without the "none" marker. */
    public List<String> selectedExtensions() {
        return extensions.stream().filter(e -> !NONE.equals(e)).toList();
    }

    public boolean selected(String extension) {
        return extensions.contains(extension);
    }

    public Optional<String> platformOrBoard() {
        return Optional.ofNullable(isSbc() ? board : isCloud() ? platform : null);
    }

    public WizardState withStep(String newStep) {
        return new WizardState(target, version, platform, board, arch, secureBoot, extensions, cmdline, bootloader,
                overlayOptions, schematicId, newStep, null);
    }

    public WizardState withTarget(String newTarget, String newBoard) {
        return new WizardState(newTarget, version, platform, newBoard, arch, secureBoot, extensions, cmdline,
                bootloader, overlayOptions, schematicId, step, query);
    }

    public WizardState withArch(String newArch) {
        return new WizardState(target, version, platform, board, newArch, secureBoot, extensions, cmdline, bootloader,
                overlayOptions, schematicId, step, query);
    }

    public WizardState withSchematic(String id, List<String> newExtensions, String newCmdline, String newBootloader,
            String newOverlayOptions) {
        return new WizardState(target, version, platform, board, arch, secureBoot, newExtensions, newCmdline,
                newBootloader, newOverlayOptions, id, step, null);
    }

    public WizardState withoutSchematic() {
        return new WizardState(target, version, platform, board, arch, secureBoot, extensions, cmdline, bootloader,
                overlayOptions, null, step, query);
    }

    /** The state as {@code name, value} pairs, in a fixed order (the URL of a step; hidden fields of a form). */
    public List<Map.Entry<String, String>> parameters() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        add(out, "target", target);
        add(out, "version", version);
        add(out, "platform", platform);
        add(out, "board", board);
        add(out, "arch", arch);
        add(out, "secureboot", secureBoot ? "true" : null);
        extensions.forEach(e -> add(out, "extensions", e));
        add(out, "cmdline", cmdline);
        add(out, "bootloader", bootloader);
        add(out, "overlay-options", overlayOptions);
        add(out, "schematic-id", schematicId);
        add(out, "step", step);
        add(out, "q", query);
        return out;
    }

    /** The parameters except {@code names}: hidden fields of a form whose controls set those. */
    public List<Map.Entry<String, String>> parametersExcept(String... names) {
        List<String> skip = List.of(names);
        return parameters().stream().filter(p -> !skip.contains(p.getKey())).toList();
    }

    /** The wizard's URL for this state ({@code /?target=metal&...}). */
    public String url() {
        StringBuilder url = new StringBuilder("/");
        char separator = '?';
        for (Map.Entry<String, String> p : parameters()) {
            url.append(separator).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
            separator = '&';
        }
        return url.toString();
    }

    private static void add(List<Map.Entry<String, String>> out, String name, String value) {
        if (value != null && !value.isEmpty()) {
            out.add(Map.entry(name, value));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
