package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StartupLoadTest {

    @Test
    void startedLoadRunsOnItsOwnThreadOnceAndGetWaitsForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        StartupLoad<String> load = new StartupLoad<>("test-load", () -> {
            loads.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Thread.currentThread().getName();
        });
        load.start();
        load.start();
        release.countDown();
        assertEquals("test-load", load.get());
        assertEquals("test-load", load.get());
        assertEquals(1, loads.get());
    }

    @Test
    void withoutStartGetLoadsOnTheCallingThread() {
        StartupLoad<String> load = new StartupLoad<>("unused", () -> Thread.currentThread().getName());
        assertEquals(Thread.currentThread().getName(), load.get());
    }

    @Test
    void aFailedLoadThrowsItsOwnExceptionToEveryCaller() {
        IllegalArgumentException failure = new IllegalArgumentException("catalog.yaml: line 3: bad");
        StartupLoad<String> load = new StartupLoad<>("failing-load", () -> {
            throw failure;
        });
        load.start();
        assertSame(failure, assertThrows(IllegalArgumentException.class, load::get));
        assertSame(failure, assertThrows(IllegalArgumentException.class, load::get));
    }
}
