package dev.imagefactory.content;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for work another thread did, as if this thread had done it. */
final class Futures {

    private Futures() {
    }

    /**
     * The future's value; its failure thrown as the work threw it (a runtime exception or error unwrapped, anything
     * else left in its {@link CompletionException}).
     */
    static <V> V joinAsOwn(CompletableFuture<V> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
