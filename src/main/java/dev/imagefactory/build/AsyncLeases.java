package dev.imagefactory.build;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Leases (and other held things: an {@code Asset}, a served image) carried through chains of futures, so that a
 * build waiting for its prerequisites holds no thread and every lease is still released exactly once, whatever way
 * the chain ends. {@link CompletableFuture} alone drops a value completed into a future nobody reads any more (and
 * its {@code thenCombine}/{@code allOf} drop the values that did arrive when another input fails), so the two rules
 * of this class are: what is held is released once the future depending on it is complete, and the successful
 * inputs of a failed combination are released.
 */
public final class AsyncLeases {

    private static final Logger LOG = Logger.getLogger(AsyncLeases.class);

    private AsyncLeases() {
    }

    /**
     * The future {@code next} starts, with {@code held} released once that future is complete (whatever its
     * outcome), or at once when {@code next} throws. For a dependent build: its prerequisites stay leased until it
     * is done.
     */
    public static <T> CompletableFuture<T> holding(AutoCloseable held, Supplier<CompletableFuture<T>> next) {
        return holding(List.of(held), next);
    }

    /** {@link #holding(AutoCloseable, Supplier)} for several held things. */
    public static <T> CompletableFuture<T> holding(Collection<? extends AutoCloseable> held,
            Supplier<CompletableFuture<T>> next) {
        CompletableFuture<T> started;
        try {
            started = next.get();
        } catch (RuntimeException | Error e) {
            held.forEach(AsyncLeases::release);
            return CompletableFuture.failedFuture(e);
        }
        return started.whenComplete((value, failure) -> held.forEach(AsyncLeases::release));
    }

    /**
     * All the values once every future is complete; if any failed, the failure (the first in list order) after
     * releasing the values that did arrive, so no input of a failed combination stays leased.
     */
    public static <T extends AutoCloseable> CompletableFuture<List<T>> all(List<CompletableFuture<T>> pending) {
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((done, failure) -> {
            if (failure == null) {
                List<T> values = new ArrayList<>(pending.size());
                pending.forEach(p -> values.add(p.join()));
                return values;
            }
            for (CompletableFuture<T> p : pending) {
                if (!p.isCompletedExceptionally()) {
                    release(p.join());
                }
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(unwrap(failure));
        });
    }

    /**
     * Hands {@code value} to {@code waiter}; if the waiter is already complete (cancelled, timed out, failed),
     * nobody will ever read the value, so it is released here instead.
     */
    public static <T extends AutoCloseable> void handOver(CompletableFuture<? super T> waiter, T value) {
        if (!waiter.complete(value)) {
            release(value);
        }
    }

    /** For a future nobody will take the value of: its value is released when (and if) it arrives. */
    public static <T extends AutoCloseable> void releaseWhenDone(CompletableFuture<T> abandoned) {
        abandoned.thenAccept(AsyncLeases::release);
    }

    /** Releases quietly: a release must never hide the outcome the caller is reporting. */
    public static void release(AutoCloseable held) {
        if (held == null) {
            return;
        }
        try {
            held.close();
        } catch (Exception e) {
            LOG.warnf(e, "could not release %s", held);
        }
    }

    /** The exception a future failed with, without the {@link CompletionException} wrappers of its chain. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
