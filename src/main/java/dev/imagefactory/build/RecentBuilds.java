package dev.imagefactory.build;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The progress of recent builds, kept in memory (the last {@value #KEPT} events), logged at debug level, and each
 * step's duration as the timer {@code image_factory_build_step_duration} (tags {@code step}, {@code output_kind}).
 */
@Singleton
public class RecentBuilds implements BuildProgress {

    static final String STEP_DURATION = "image_factory_build_step_duration";
    private static final int KEPT = 2000;
    private static final Logger LOG = Logger.getLogger(RecentBuilds.class);

    private final MeterRegistry registry;
    private final Deque<Event> events = new ArrayDeque<>();

    @Inject
    public RecentBuilds(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void record(Event event) {
        synchronized (events) {
            if (events.size() == KEPT) {
                events.removeFirst();
            }
            events.addLast(event);
        }
        if (event.type() == Type.STEP_ENDED) {
            Timer.builder(STEP_DURATION)
                    .description("Time each build step took")
                    .tags("step", event.step().orElse("unknown"), "output_kind", event.kind())
                    .register(registry)
                    .record(event.took());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("build %s (%s): %s%s%s", event.planKey().substring(0, 12), event.kind(), event.type(),
                    event.step().map(s -> " " + s).orElse(""),
                    event.type() == Type.STEP_ENDED || event.type() == Type.DONE
                            ? " after " + event.took().toMillis() + " ms, " + event.bytesWritten() + " bytes" : "");
        }
    }

    /** The kept events of the build with this plan key, oldest first. */
    public List<Event> of(String planKey) {
        synchronized (events) {
            return events.stream().filter(e -> e.planKey().equals(planKey)).toList();
        }
    }
}
