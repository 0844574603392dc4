package dev.imagefactory.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.errors.InvalidInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The body the wizard sends to the schematic service, as {@code POST /schematics} would receive it: JSON (which is
 * YAML), so the service parses, checks and canonicalises it exactly as it does a client's. Extensions are sorted, as
 * the reference's wizard sorts them; kernel arguments are split on white space.
 */
public final class SchematicDraft {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchematicDraft() {
    }

    public static byte[] of(WizardState state, Optional<OfficialOverlay> board, String machineConfig) {
        Map<String, Object> customization = new LinkedHashMap<>();
        if (machineConfig != null && !machineConfig.isBlank()) {
            customization.put("embeddedMachineConfiguration", machineConfig);
        }
        if (state.cmdline() != null && !state.cmdline().isBlank()) {
            customization.put("extraKernelArgs", Arrays.asList(state.cmdline().trim().split("\\s+")));
        }
        List<String> extensions = state.selectedExtensions().stream().sorted().toList();
        if (!extensions.isEmpty()) {
            customization.put("systemExtensions", Map.of("officialExtensions", extensions));
        }
        if (state.bootloader() != null && !state.bootloader().isBlank()) {
            customization.put("bootloader", state.bootloader());
        }
        Map<String, Object> schematic = new LinkedHashMap<>();
        board.ifPresent(overlay -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("image", overlay.image());
            o.put("name", overlay.name());
            Map<Object, Object> options = overlayOptions(state.overlayOptions());
            if (!options.isEmpty()) {
                o.put("options", options);
            }
            schematic.put("overlay", o);
        });
        schematic.put("customization", customization);
        try {
            return JSON.writeValueAsBytes(schematic);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("the overlay options cannot be written as a schematic: " + e.getOriginalMessage());
        }
    }

    /** The overlay options field: a YAML mapping, or nothing. */
    static Map<Object, Object> overlayOptions(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new InvalidInputException("overlay options are not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (parsed == null) {
            return Map.of();
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new InvalidInputException("overlay options must be a YAML mapping (key: value lines)");
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> options = (Map<Object, Object>) map;
        return options;
    }

    /** A schematic's overlay options as the YAML text the customization step shows. */
    static String yaml(Map<Object, Object> options) {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(dump).dump(options).strip();
    }

    /** The form field a refusal of the schematic service is about, by what its one-line reason names. */
    static String fieldOf(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("overlay")) {
            return "overlay-options";
        }
        if (m.contains("kernel arg") || m.contains("extrakernelargs")) {
            return "cmdline";
        }
        if (m.contains("bootloader")) {
            return "bootloader";
        }
        if (m.contains("machine config") || m.contains("embeddedmachineconfiguration")) {
            return "machine-config";
        }
        if (m.contains("extension")) {
            return "extensions";
        }
        return "form";
    }
}
