package dev.imagefactory.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tracked build as {@code GET /builds/{id}} shows it: what is built (schematic, version, path or the intermediate's
 * kind; never key material), its state, its queue position while it waits for a build slot, the current step and the
 * finished ones (with how far the current one is, in percent, where it can tell), times, the error text on failure, the builds it waits for and links (the artifact once done).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildStatus(String id, String kind, String schematic, String version, String arch, String path,
        String state, boolean cached, Integer queuePosition, String currentStep, Integer currentStepPercent,
        List<FinishedStep> steps,
        Instant queuedAt, Instant startedAt, Instant endedAt, String error, List<String> needs,
        Map<String, String> links) {

    /** A step that ended: its duration and the bytes it wrote. */
    public record FinishedStep(String name, Instant startedAt, long durationMs, long bytes) {
    }
}
