package dev.imagefactory.build;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One build as a resource: its story as numbered {@link BuildEvent}s (kept whole, so any reader can replay it from
 * any point) and the listeners that follow it live. Events are appended and handed to listeners under the build's
 * lock, so a listener that subscribes while events arrive misses none and sees none twice.
 */
public final class TrackedBuild {

    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Follows a build live; called under the build's lock, so it must be quick and must not block. */
    public interface Listener {
        /** Returns false when the listener is gone (the client disconnected): it is then dropped. */
        boolean deliver(BuildEvent event);

        /** The build ended (after its final event was delivered). */
        void end();
    }

    private final String id;
    private final String groupKey;
    private final String kind;
    private final String arch;
    private final BuildSubject subject;
    private final boolean cached;
    private final Instant queuedAt;
    private final List<BuildEvent> events = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private final Map<String, Instant> underWay = new LinkedHashMap<>(); // steps started, not ended
    private final Map<String, Integer> percents = new HashMap<>(); // of steps under way that tell how far they are
    private final List<BuildStatus.FinishedStep> steps = new ArrayList<>();
    private final Map<String, Boolean> needs = new HashMap<>();
    private final List<String> needIds = new ArrayList<>();
    private State state = State.QUEUED;
    private Instant startedAt;
    private Instant endedAt;
    private String error;

    TrackedBuild(String id, String groupKey, String kind, String arch, BuildSubject subject, boolean cached,
            Instant now) {
        this.id = id;
        this.groupKey = groupKey;
        this.kind = kind;
        this.arch = arch;
        this.subject = subject;
        this.cached = cached;
        this.queuedAt = now;
        if (cached) {
            state = State.SUCCEEDED;
            startedAt = now;
            endedAt = now;
            events.add(BuildEvent.state(1, now, State.SUCCEEDED, null));
        } else {
            events.add(BuildEvent.state(1, now, State.QUEUED, null));
        }
    }

    public String id() {
        return id;
    }

    /** The key that identical requests join it by (a plan key, or a group's own). */
    String groupKey() {
        return groupKey;
    }

    public BuildSubject subject() {
        return subject;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized boolean finished() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    synchronized Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }

    synchronized void needs(List<String> ids) {
        for (String need : ids) {
            if (needs.putIfAbsent(need, Boolean.TRUE) == null) {
                needIds.add(need);
            }
        }
    }

    synchronized void running(Instant at) {
        if (state != State.QUEUED) {
            return;
        }
        state = State.RUNNING;
        startedAt = at;
        append(BuildEvent.state(next(), at, State.RUNNING, null));
    }

    synchronized void stepStarted(String step, Instant at) {
        if (finished()) {
            return;
        }
        running(at);
        underWay.put(step, at);
        append(new BuildEvent(next(), at, "step-started", null, step, null, null, null, null, null));
    }

    synchronized void stepEnded(String step, Instant at, Duration took, long bytes) {
        if (finished()) {
            return;
        }
        Instant began = underWay.remove(step);
        steps.add(new BuildStatus.FinishedStep(step, began == null ? at.minus(took) : began, took.toMillis(), bytes));
        percents.remove(step);
        append(new BuildEvent(next(), at, "step-ended", null, step, took.toMillis(), bytes, null, null, null));
    }

    /**
     * A step under way is {@code done} of {@code total}: an event each time its whole percentage rises (at most 101
     * per step, so the kept story stays small however often the step reports).
     */
    synchronized void stepAdvanced(String step, Instant at, long done, long total) {
        if (finished() || !underWay.containsKey(step) || total <= 0) {
            return;
        }
        int percent = (int) Math.min(100, Math.max(0, done * 100 / total));
        Integer before = percents.get(step);
        if (before != null && percent <= before) {
            return;
        }
        percents.put(step, percent);
        append(new BuildEvent(next(), at, "step-progress", null, step, null, Math.min(done, total), null, total,
                percent));
    }

    /** Ends the build (only the first call counts). */
    synchronized void finish(Instant at, Optional<String> failure) {
        if (finished()) {
            return;
        }
        endedAt = at; // startedAt stays empty for a build that never ran (a needed build failed, or found cached)
        state = failure.isPresent() ? State.FAILED : State.SUCCEEDED;
        error = failure.orElse(null);
        underWay.clear();
        percents.clear();
        append(BuildEvent.state(next(), at, state, error));
        for (Listener listener : listeners) {
            listener.end();
        }
        listeners.clear();
    }

    /**
     * Hands {@code listener} the events after {@code lastEventId} (0: all of them), then every new one as it
     * happens; ends it at once when the build has already ended.
     */
    public synchronized void follow(long lastEventId, Listener listener) {
        for (BuildEvent event : events) {
            if (event.id() > lastEventId && !listener.deliver(event)) {
                return;
            }
        }
        if (finished()) {
            listener.end();
        } else {
            listeners.add(listener);
        }
    }

    /** The events so far, oldest first. */
    public synchronized List<BuildEvent> events() {
        return List.copyOf(events);
    }

    synchronized BuildStatus status(Integer queuePosition) {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", "/builds/" + id);
        links.put("events", "/builds/" + id + "/events");
        if (state == State.SUCCEEDED && subject != null && subject.path() != null && !kind.equals("installer")) {
            links.put("artifact", "/image/" + subject.schematic() + "/" + subject.version() + "/" + subject.path());
        }
        String current = underWay.isEmpty() ? null : List.copyOf(underWay.keySet()).get(underWay.size() - 1);
        return new BuildStatus(id, kind, subject == null ? null : subject.schematic(),
                subject == null ? null : subject.version(), arch, subject == null ? null : subject.path(),
                state.label(), cached, state == State.QUEUED ? queuePosition : null, current,
                current == null ? null : percents.get(current), List.copyOf(steps),
                queuedAt, startedAt, endedAt, error, needIds.isEmpty() ? null : List.copyOf(needIds), links);
    }

    private long next() {
        return events.size() + 1L;
    }

    private void append(BuildEvent event) {
        events.add(event);
        listeners.removeIf(listener -> !listener.deliver(event));
    }
}
