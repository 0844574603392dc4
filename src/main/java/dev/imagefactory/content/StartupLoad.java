package dev.imagefactory.content;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A value that start-up loads on a daemon thread of its own ({@link #start()}, from an early start-up observer) so
 * that the rest of the start runs beside it on the other core; {@link #get()} waits for it. A load that fails throws
 * its own exception from {@code get()}, as it would have on the caller's thread: a start-up observer that calls
 * {@code get()} last still stops the start, naming what was wrong. Without {@code start()} (a bean used outside a
 * start, a test) {@code get()} loads on the calling thread.
 */
public final class StartupLoad<T> {
    private final String threadName;
    private final Supplier<T> loader;
    private final Object lock = new Object();
    /** The load under way or done, once started; guarded by {@code lock}. */
    private CompletableFuture<T> loading;

    public StartupLoad(String threadName, Supplier<T> loader) {
        this.threadName = threadName;
        this.loader = loader;
    }

    /** Starts the load on its own thread, unless it started already. */
    public void start() {
        synchronized (lock) {
            if (loading == null) {
                loading = new CompletableFuture<>();
                CompletableFuture<T> pending = loading;
                Thread thread = new Thread(() -> complete(pending), threadName);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    /** The loaded value, waiting for the load (or loading here when nothing started it). */
    public T get() {
        CompletableFuture<T> pending;
        synchronized (lock) {
            if (loading == null) {
                loading = new CompletableFuture<>();
                complete(loading);
            }
            pending = loading;
        }
        return Futures.joinAsOwn(pending);
    }

    private void complete(CompletableFuture<T> pending) {
        try {
            pending.complete(loader.get());
        } catch (RuntimeException | Error e) {
            pending.completeExceptionally(e);
        }
    }
}
