package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Build slots taken in the order builds were asked for (reserved), whatever order their threads arrive in. */
class BuildSlotsTest {

    @Test
    void reservedTicketsTakeSlotsInReservationOrderAndShowTheirPositions() throws Exception {
        BuildSlots slots = new BuildSlots(1);
        assertTrue(slots.acquire(new BuildSlots.Ticket())); // the only slot is busy
        BuildSlots.Ticket first = new BuildSlots.Ticket();
        BuildSlots.Ticket second = new BuildSlots.Ticket();
        slots.reserve(first);
        slots.reserve(second);
        assertEquals(Optional.of(1), slots.position(first));
        assertEquals(Optional.of(2), slots.position(second));

        List<String> order = new CopyOnWriteArrayList<>();
        Thread secondThread = waiter(slots, second, "second", order); // the second's thread arrives first
        awaitWaiting(slots, secondThread);
        Thread firstThread = waiter(slots, first, "first", order);
        awaitWaiting(slots, firstThread);
        slots.release();
        firstThread.join(10_000);
        secondThread.join(10_000);
        assertEquals(List.of("first", "second"), order);
        assertEquals(Optional.empty(), slots.position(first));
    }

    @Test
    void aReservedTicketWhoseThreadIsNotWaitingYetDoesNotHoldBackTheOnesBehindIt() throws Exception {
        BuildSlots slots = new BuildSlots(1);
        BuildSlots.Ticket slow = new BuildSlots.Ticket();
        BuildSlots.Ticket waiting = new BuildSlots.Ticket();
        slots.reserve(slow); // e.g. still claiming the build from other replicas
        slots.reserve(waiting);
        assertTrue(slots.acquire(waiting), "a free slot is not kept for a ticket that does not wait");
        assertEquals(Optional.of(1), slots.position(slow));
        slots.withdraw(slow);
        assertEquals(Optional.empty(), slots.position(slow));
        assertEquals(0, slots.queued());
        slots.release();
        BuildSlots.Ticket excused = new BuildSlots.Ticket();
        slots.reserve(excused);
        slots.excuse(excused);
        assertFalse(slots.acquire(excused));
        assertEquals(0, slots.queued());
    }

    private static Thread waiter(BuildSlots slots, BuildSlots.Ticket ticket, String name, List<String> order) {
        CountDownLatch ready = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            ready.countDown();
            try {
                if (slots.acquire(ticket)) {
                    order.add(name);
                    slots.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits (bounded) until the thread is parked in acquire. */
    private static void awaitWaiting(BuildSlots slots, Thread thread) throws InterruptedException {
        for (int i = 0; i < 1000 && thread.getState() != Thread.State.WAITING; i++) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertEquals(Thread.State.WAITING, thread.getState(), thread.getName() + " waits for a slot");
    }
}
