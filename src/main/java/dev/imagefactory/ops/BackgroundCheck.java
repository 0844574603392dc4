package dev.imagefactory.ops;

import dev.imagefactory.config.FactoryConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Runs a blocking readiness test (a network round trip, a directory listing) on its own daemon thread, so the health
 * checks never block the event loop nor wait for a worker thread that build requests may be holding. At most one
 * run is under way; callers share it. A run that takes longer than {@code timeout} answers for the caller as
 * "no answer within ..." (the run goes on and its outcome serves the next caller).
 */
final class BackgroundCheck {
    private static final Logger LOG = Logger.getLogger(BackgroundCheck.class);

    record Outcome(boolean up, String detail) {
    }

    private final String name;
    private final BooleanSupplier test;
    private final Duration timeout;
    private final Executor executor;
    /** The run under way, if any; guarded by {@code this}. */
    private CompletableFuture<Outcome> running;

    /**
     * How long {@code /readyz} waits for a check ({@code factory.readiness.timeout}): below Kubernetes' readiness
     * {@code timeoutSeconds}, so a hung disk or S3 answers "not ready" instead of timing the probe out.
     */
    static Duration readinessBound(FactoryConfig config) {
        Duration bound = config.readiness().timeout();
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("factory.readiness.timeout must be positive, got " + bound);
        }
        return bound;
    }

    BackgroundCheck(String name, BooleanSupplier test, Duration timeout) {
        this.name = name;
        this.test = test;
        this.timeout = timeout;
        this.executor = runnable -> {
            Thread thread = new Thread(runnable, "health-" + name);
            thread.setDaemon(true);
            thread.start();
        };
    }

    CompletableFuture<Outcome> run() {
        CompletableFuture<Outcome> run;
        synchronized (this) {
            if (running == null) {
                run = CompletableFuture.supplyAsync(this::callTest, executor);
                running = run;
                run.whenComplete((outcome, failure) -> done()); // may run at once, on this thread
            } else {
                run = running;
            }
        }
        return run.copy().completeOnTimeout(new Outcome(false, "no answer within " + timeout.toMillis() + " ms"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void done() {
        running = null;
    }

    private Outcome callTest() {
        try {
            return test.getAsBoolean() ? new Outcome(true, "ok") : new Outcome(false, "failed");
        } catch (RuntimeException e) {
            LOG.debugf(e, "health check %s threw", name);
            return new Outcome(false, String.valueOf(e.getMessage()));
        }
    }
}
