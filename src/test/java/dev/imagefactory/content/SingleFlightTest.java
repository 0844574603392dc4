package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    private static final int CALLERS = 32;

    private final SingleFlight<String, String> flights = new SingleFlight<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(CALLERS);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void concurrentCallersForOneKeyShareOneRun() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        CompletableFuture<String> work = new CompletableFuture<>();
        CountDownLatch ready = new CountDownLatch(1);
        List<Future<CompletableFuture<String>>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            callers.add(threads.submit(() -> {
                ready.await();
                return flights.run("iso", () -> {
                    starts.incrementAndGet();
                    return work;
                });
            }));
        }
        ready.countDown();
        List<CompletableFuture<String>> outcomes = new ArrayList<>();
        for (Future<CompletableFuture<String>> caller : callers) {
            outcomes.add(caller.get(10, TimeUnit.SECONDS)); // every caller has joined before the work ends
        }
        assertTrue(flights.isRunning("iso"));
        work.complete("bytes");
        for (CompletableFuture<String> outcome : outcomes) {
            assertEquals("bytes", outcome.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, starts.get());
        assertFalse(flights.isRunning("iso"));
        assertEquals(0, flights.size());
    }

    @Test
    void theCallerThreadRunsTheWorkAndWaitersGetItsResult() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = threads.submit(() -> flights.runHere("k", () -> {
            runs.incrementAndGet();
            running.countDown();
            await(release);
            return Thread.currentThread().getName();
        }));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        List<Future<String>> waiters = new ArrayList<>();
        for (int i = 0; i < CALLERS - 1; i++) {
            waiters.add(threads.submit(() -> flights.runHere("k", () -> {
                runs.incrementAndGet();
                return "a second run";
            })));
        }
        release.countDown();
        String ranOn = first.get(10, TimeUnit.SECONDS);
        for (Future<String> waiter : waiters) {
            String got = waiter.get(10, TimeUnit.SECONDS);
            // a waiter that arrived after the flight ended starts its own: the point is no overlap with the first
            assertTrue(got.equals(ranOn) || got.equals("a second run"), got);
        }
        assertTrue(runs.get() < CALLERS, "waiters shared the first run");
    }

    @Test
    void aFailureReachesEveryWaiterAndIsNotRemembered() throws Exception {
        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<String> a = flights.run("k", () -> failing);
        CompletableFuture<String> b = flights.run("k", () -> CompletableFuture.completedFuture("not started"));
        IllegalStateException cause = new IllegalStateException("tool failed");
        failing.completeExceptionally(cause);
        assertSame(cause, assertThrows(ExecutionException.class, a::get).getCause());
        assertSame(cause, assertThrows(ExecutionException.class, b::get).getCause());
        assertEquals("again", flights.run("k", () -> CompletableFuture.completedFuture("again")).get());
        assertThrows(IllegalStateException.class, () -> flights.runHere("t", () -> {
            throw new IllegalStateException("thrown by the work");
        }));
        assertEquals("fine", flights.runHere("t", () -> "fine"));
    }

    @Test
    void theKeyIsForgottenBeforeWaitersSeeTheOutcome() throws Exception {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableFuture<Boolean> runningWhenSeen = flights.run("k", () -> work)
                .thenApply(value -> flights.isRunning("k"));
        work.complete("done");
        assertFalse(runningWhenSeen.get(10, TimeUnit.SECONDS));
    }

    @Test
    void cancellingOneCallersFutureLeavesTheOthersAlone() throws Exception {
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableFuture<String> a = flights.run("k", () -> work);
        CompletableFuture<String> b = flights.run("k", () -> work);
        a.cancel(true);
        work.complete("done");
        assertEquals("done", b.get(10, TimeUnit.SECONDS));
    }

    @Test
    void differentKeysRunSeparately() throws Exception {
        CompletableFuture<String> x = flights.run("x", () -> CompletableFuture.supplyAsync(() -> "x", threads));
        CompletableFuture<String> y = flights.run("y", () -> CompletableFuture.supplyAsync(() -> "y", threads));
        assertEquals("x", x.get(10, TimeUnit.SECONDS));
        assertEquals("y", y.get(10, TimeUnit.SECONDS));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
