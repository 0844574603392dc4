package dev.imagefactory.http;

import dev.imagefactory.build.AsyncLeases;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Answers a request once a pending build is done, without a thread waiting for it (issue 21 case 3: requests that
 * wait for builds must not hold the worker threads the probes and downloads need). A resource method returns this
 * stage; Quarkus REST suspends the request and resumes it when the stage completes.
 *
 * <p>The response is made on the worker pool (it may open a file or an S3 object), not on the build thread that
 * completed the future. A failure reaches the exception mappers as the exception the build threw, never wrapped in a
 * {@link CompletionException}, so it is answered exactly as if it had been thrown by the resource method.
 *
 * <p>A value that holds something ({@link AutoCloseable}: a leased asset, a served image) is owned by
 * {@code respond} once called (it releases it, or hands it to the response body, which releases it when written).
 * When no response will be written for it (the request was cancelled because the client went away, {@code respond}
 * threw, or the worker pool refused the task) it is released here, so a build finishing after its waiter left never
 * leaves its artifact pinned.
 */
public final class AsyncResponses {

    private AsyncResponses() {
    }

    /** Makes the response from the built value; may throw what a resource method may throw. */
    @FunctionalInterface
    public interface Respond<T> {
        Response to(T value) throws Exception;
    }

    public static <T> CompletionStage<Response> when(CompletableFuture<T> pending, Respond<T> respond) {
        return when(pending, respond, Function.identity());
    }

    /** As {@link #when(CompletableFuture, Respond)}, with failures translated first (e.g. into registry errors). */
    public static <T> CompletionStage<Response> when(CompletableFuture<T> pending, Respond<T> respond,
            Function<Throwable, Throwable> translate) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        boolean done = pending.isDone(); // a cache hit: answer right here, on the request's worker thread
        pending.whenComplete((value, failure) -> {
            if (failure != null) {
                response.completeExceptionally(translate.apply(unwrap(failure)));
                return;
            }
            Runnable answer = () -> {
                if (response.isDone()) { // cancelled: the client went away while the build ran
                    release(value);
                    return;
                }
                try {
                    if (!response.complete(respond.to(value))) {
                        release(value); // cancelled meanwhile: the response (and its body) will never be written
                    }
                } catch (Throwable t) {
                    release(value);
                    response.completeExceptionally(translate.apply(t));
                }
            };
            if (done) {
                answer.run();
                return;
            }
            try {
                Infrastructure.getDefaultWorkerPool().execute(answer);
            } catch (RuntimeException e) { // the pool is shutting down
                release(value);
                response.completeExceptionally(e);
            }
        });
        return response;
    }

    /** A held value (a leased asset or image) whose response will not be written: released exactly once. */
    private static void release(Object value) {
        if (value instanceof AutoCloseable held) {
            AsyncLeases.release(held);
        }
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
