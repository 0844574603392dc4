package dev.imagefactory.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A held value (leased asset) reaching a request that will not be answered with it is released, exactly once. */
class AsyncResponsesTest {

    /** Stands for a leased asset: counts its releases. */
    private static final class Held implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void close() {
            closes.incrementAndGet();
            closed.countDown();
        }
    }

    @Test
    void aValueArrivingAfterTheClientWentAwayIsReleasedWithoutAnswering() throws Exception {
        CompletableFuture<Held> build = new CompletableFuture<>();
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<Response> response = AsyncResponses.when(build, held -> {
            answered.incrementAndGet();
            return Response.ok().build();
        }).toCompletableFuture();

        assertTrue(response.cancel(true), "the server cancels the stage when the connection closes");
        Held held = new Held();
        build.complete(held); // the build finishes later, on its own thread

        assertTrue(held.closed.await(10, TimeUnit.SECONDS), "released");
        assertEquals(0, answered.get(), "no answer is made for a request that is gone");
        assertEquals(1, held.closes.get());
    }

    @Test
    void aValueIsReleasedWhenMakingTheAnswerFailsAndTheFailureIsAnsweredUnwrapped() {
        Held held = new Held();
        CompletableFuture<Response> response = AsyncResponses.<Held>when(CompletableFuture.completedFuture(held),
                h -> {
                    throw new InvalidInputException("malformed Host header");
                }).toCompletableFuture();

        ExecutionException failed = assertThrows(ExecutionException.class, response::get);
        assertTrue(failed.getCause() instanceof InvalidInputException, "mapped like a thrown 400");
        assertEquals(1, held.closes.get());
    }

    @Test
    void aValueAnsweredWithIsLeftToTheAnswer() throws Exception {
        Held held = new Held();
        CompletableFuture<Response> response = AsyncResponses.when(CompletableFuture.completedFuture(held),
                h -> Response.ok().build()).toCompletableFuture();

        assertEquals(200, response.get().getStatus());
        assertFalse(held.closes.get() > 0, "the answer (its body) owns it now");
    }
}
