package dev.imagefactory.ops;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Readiness of the service as reported by {@code GET /readyz}. Components register named checks, typically at
 * startup; the service is ready while every check passes. A check that throws counts as failing.
 */
@ApplicationScoped
public class Readiness {
    private static final Logger LOG = Logger.getLogger(Readiness.class);

    @FunctionalInterface
    public interface Check {
        boolean ready() throws Exception;
    }

    private final Map<String, Check> checks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> lastFailing = new ConcurrentHashMap<>();

    /** Adds or replaces the check with this name. */
    public void register(String name, Check check) {
        checks.put(name, check);
    }

    public void unregister(String name) {
        checks.remove(name);
        lastFailing.remove(name);
    }

    public boolean isReady() {
        return failingChecks().isEmpty();
    }

    /** Names of the checks that currently fail; logs only transitions to keep probe traffic out of the log. */
    public List<String> failingChecks() {
        List<String> failing = new ArrayList<>();
        checks.forEach((name, check) -> {
            boolean ok = passes(name, check);
            Boolean wasFailing = lastFailing.put(name, !ok);
            if (!ok) {
                failing.add(name);
            }
            if (wasFailing == null ? !ok : wasFailing == ok) {
                LOG.infof("readiness check %s is now %s", name, ok ? "passing" : "failing");
            }
        });
        return failing;
    }

    private static boolean passes(String name, Check check) {
        try {
            return check.ready();
        } catch (Exception e) {
            LOG.debugf(e, "readiness check %s threw", name);
            return false;
        }
    }
}
