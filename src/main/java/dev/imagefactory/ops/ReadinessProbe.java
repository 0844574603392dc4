package dev.imagefactory.ops;

import dev.imagefactory.config.FactoryConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the {@link Readiness} checks for {@code /readyz} off the request threads and within a time bound
 * ({@code factory.readiness.timeout}): the checks touch the disk and S3, and a hung S3 must neither hold the probe
 * past Kubernetes' {@code timeoutSeconds} nor take threads from the worker pool. Checks run on one thread of their
 * own; probes arriving while an evaluation runs share it, so a hung check costs one thread, not one per probe. A
 * probe whose evaluation is not done within the bound is answered "not ready" (the evaluation goes on, and the next
 * probe after it ended starts a fresh one).
 */
@ApplicationScoped
public class ReadinessProbe {

    private final Readiness readiness;
    private final Duration bound;
    private final ExecutorService checks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "readiness-checks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<CompletableFuture<Boolean>> running = new AtomicReference<>();

    public ReadinessProbe(Readiness readiness, FactoryConfig config) {
        this.readiness = readiness;
        this.bound = config.readiness().timeout();
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("factory.readiness.timeout must be positive, got " + bound);
        }
    }

    /** Completes with whether every check passed, or with false once the bound has passed. Never fails. */
    public CompletableFuture<Boolean> ready() {
        return evaluation().copy().completeOnTimeout(false, bound.toNanos(), TimeUnit.NANOSECONDS);
    }

    private CompletableFuture<Boolean> evaluation() {
        while (true) {
            CompletableFuture<Boolean> current = running.get();
            if (current != null) {
                return current;
            }
            CompletableFuture<Boolean> mine = new CompletableFuture<>();
            if (running.compareAndSet(null, mine)) {
                try {
                    checks.execute(() -> {
                        try {
                            mine.complete(readiness.isReady());
                        } catch (RuntimeException | Error e) {
                            mine.complete(false);
                        } finally {
                            running.compareAndSet(mine, null);
                        }
                    });
                } catch (RejectedExecutionException e) { // shutting down
                    running.compareAndSet(mine, null);
                    mine.complete(false);
                }
                return mine;
            }
        }
    }

    @PreDestroy
    void close() {
        checks.shutdownNow();
    }
}
