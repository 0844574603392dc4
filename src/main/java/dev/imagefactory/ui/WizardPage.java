package dev.imagefactory.ui;

import dev.imagefactory.ui.ViewModels.Choice;
import dev.imagefactory.ui.ViewModels.Copyable;
import dev.imagefactory.ui.ViewModels.Download;
import dev.imagefactory.ui.ViewModels.VersionGroup;
import io.quarkus.qute.TemplateData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rendered step: which one, the state it shows (its URL is {@link #url()}), the choices it offers and the errors
 * to show next to the control that caused them ({@link #errors}, by form field name).
 */
@TemplateData
public class WizardPage {

    public final Step step;
    public final WizardState state;
    public final Map<String, String> errors = new LinkedHashMap<>();

    public String backUrl;
    /** Whether the progress list names the platform (or board) and architecture steps: not when they are skipped. */
    public boolean platformStepShown = true;
    public boolean archStepShown = true;
    public String summary = "";
    public List<Choice> targets = List.of();
    public List<VersionGroup> versionGroups = List.of();
    public List<Choice> platforms = List.of();
    public List<Choice> archs = List.of();
    public boolean secureBootOffered;
    public List<Choice> extensions = List.of();
    public int extensionCount;
    public boolean bootloaderOffered;
    public List<Choice> bootloaders = List.of();
    public boolean machineConfigOffered;
    public boolean overlayOptionsOffered;
    public String machineConfig = "";

    public String schematicId;
    public String schematicYaml;
    public String version;
    public List<Download> downloads = new ArrayList<>();
    public String pxeUrl;
    public List<Copyable> installers = new ArrayList<>();
    public List<Copyable> commands = new ArrayList<>();
    public String editUrl;

    public WizardPage(Step step, WizardState state) {
        this.step = step;
        this.state = state;
    }

    /** The URL of this step with its selections: pushed into the history, restored on reload. */
    public String url() {
        return state.withStep(step.id()).url();
    }

    /** The form field of the platform step: {@code board} for single-board computers, else {@code platform}. */
    public String platformField() {
        return state.isSbc() ? "board" : "platform";
    }

    public String stepId() {
        return step.id();
    }

    public boolean hasError(String field) {
        return errors.containsKey(field);
    }

    public String error(String field) {
        return errors.get(field);
    }

    /** Hidden fields carrying the state the step's own controls do not set. */
    public List<Map.Entry<String, String>> carried(String... ownFields) {
        List<String> skip = new ArrayList<>(List.of(ownFields));
        skip.add("step");
        skip.add("q");
        return state.parametersExcept(skip.toArray(String[]::new));
    }

    /** {@link #carried} for the templates, which pass the field names as one comma-separated text. */
    public List<Map.Entry<String, String>> carry(String ownFields) {
        return carried(ownFields.isEmpty() ? new String[0] : ownFields.split(","));
    }
}
