package dev.imagefactory.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One thing that happened to a tracked build, numbered from 1 within the build (the SSE event ID, so a client that
 * reconnects with {@code Last-Event-ID} gets exactly the ones after it).
 *
 * @param type  {@code state} (the state changed to {@code state}), {@code step-started}, {@code step-progress}
 *              ({@code bytes} of {@code total} done, {@code percent}) or {@code step-ended}
 * @param error the error text, on {@code state} {@code failed}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildEvent(long id, Instant at, String type, String state, String step, Long durationMs, Long bytes,
        String error, Long total, Integer percent) {

    static BuildEvent state(long id, Instant at, TrackedBuild.State state, String error) {
        return new BuildEvent(id, at, "state", state.label(), null, null, null, error, null, null);
    }

    /** Whether the build ends with this event (nothing follows it). */
    public boolean isFinal() {
        return "state".equals(type) && ("succeeded".equals(state) || "failed".equals(state));
    }
}
