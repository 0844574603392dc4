package dev.imagefactory.content;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Does a piece of work once however many callers ask for the same key at the same time: the first caller starts
 * it, the others share its outcome. Nothing is remembered once the work is done, a failure included, so the next
 * caller starts afresh (remembering results is the caller's business, e.g. a cache checked before asking). The key
 * is forgotten before anyone sees the outcome, so whoever reacts to it and asks again starts new work.
 */
public final class SingleFlight<K, V> {

    private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

    /**
     * The outcome of the work in flight for {@code key}, or of {@code start} (called on this thread, only when no
     * work is in flight). A {@code start} that throws fails the flight like a failed stage. Each caller gets its own
     * future, failing with the work's exception itself: cancelling it leaves the others' alone.
     */
    public CompletableFuture<V> run(K key, Supplier<? extends CompletionStage<V>> start) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = flights.putIfAbsent(key, mine);
        if (running != null) {
            return share(running);
        }
        CompletionStage<V> work;
        try {
            work = start.get();
        } catch (RuntimeException | Error e) {
            finish(key, mine, null, e);
            return share(mine);
        }
        work.whenComplete((value, failure) -> finish(key, mine, value, failure));
        return share(mine);
    }

    /** A future of the caller's own, failing with the work's own exception (not wrapped, unlike {@code copy()}). */
    private static <V> CompletableFuture<V> share(CompletableFuture<V> flight) {
        CompletableFuture<V> yours = new CompletableFuture<>();
        flight.whenComplete((value, failure) -> {
            if (failure == null) {
                yours.complete(value);
            } else {
                yours.completeExceptionally(failure);
            }
        });
        return yours;
    }

    /**
     * {@link #run} for work done on the caller's thread: the first caller runs {@code work}, the others wait for its
     * result. A failure reaches every waiter as thrown by {@code work} (a checked one wrapped in
     * {@link CompletionException}).
     */
    public V runHere(K key, Supplier<V> work) {
        return Futures.joinAsOwn(run(key, () -> CompletableFuture.completedFuture(work.get())));
    }

    /** Whether work for {@code key} is in flight now. */
    public boolean isRunning(K key) {
        return flights.containsKey(key);
    }

    /** Keys with work in flight now. */
    public int size() {
        return flights.size();
    }

    private void finish(K key, CompletableFuture<V> flight, V value, Throwable failure) {
        flights.remove(key, flight);
        if (failure == null) {
            flight.complete(value);
        } else {
            flight.completeExceptionally(failure instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : failure);
        }
    }
}
