package dev.imagefactory.build;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fair (first come, first served) counting semaphore whose waiters can be excused: a queued build that another
 * build turns out to be waiting for is let through without a slot, because its waiter already holds one. That is
 * what keeps nested builds from deadlocking (see {@link ArtifactBuilds}).
 *
 * <p>A ticket takes its place in the queue when {@linkplain #reserve reserved} (when the build is asked for, on the
 * requesting thread), so builds start in the order they were asked for, whatever order their threads reach
 * {@link #acquire}; and its {@linkplain #position position} can be shown meanwhile. A reserved ticket whose thread is
 * not waiting yet does not hold back the waiting tickets behind it (its build may still be looking in the cache or
 * claiming the build from other replicas); one that will never wait is {@linkplain #withdraw withdrawn}.
 */
final class BuildSlots {

    /** One queued acquisition; {@code excused} lets it through without taking a slot. */
    static final class Ticket {
        private boolean excused; // guarded by the lock
        private boolean waiting; // guarded by the lock
        private boolean queued; // guarded by the lock
    }

    private final int limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int used;

    BuildSlots(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("factory.build.max-concurrency must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /** Takes the ticket's place in the queue now (nothing happens to an excused or already queued ticket). */
    void reserve(Ticket ticket) {
        lock.lock();
        try {
            if (!ticket.excused && !ticket.queued) {
                queue.addLast(ticket);
                ticket.queued = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives up the ticket's place if it still has one (its build will not wait for a slot). */
    void withdraw(Ticket ticket) {
        lock.lock();
        try {
            dequeue(ticket);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a slot in arrival order (the order of {@link #reserve}, else of this call). Returns {@code true} when a
     * slot was taken (give it back with {@link #release()}), {@code false} when the ticket was excused before a slot
     * was free.
     */
    boolean acquire(Ticket ticket) throws InterruptedException {
        lock.lock();
        try {
            if (ticket.excused) {
                dequeue(ticket);
                return false;
            }
            if (!ticket.queued) {
                queue.addLast(ticket);
                ticket.queued = true;
            }
            ticket.waiting = true;
            try {
                while (true) {
                    if (ticket.excused) {
                        dequeue(ticket); // the next in line may be at the head now
                        return false;
                    }
                    if (firstWaiting() == ticket && used < limit) {
                        dequeue(ticket);
                        used++;
                        return true;
                    }
                    changed.await();
                }
            } catch (InterruptedException e) {
                dequeue(ticket);
                throw e;
            } finally {
                ticket.waiting = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The first ticket in the queue whose thread waits (reserved tickets not waiting yet are passed over). */
    private Ticket firstWaiting() {
        for (Ticket queued : queue) {
            if (queued.waiting) {
                return queued;
            }
        }
        return null;
    }

    private void dequeue(Ticket ticket) {
        if (ticket.queued) {
            queue.remove(ticket);
            ticket.queued = false;
            changed.signalAll(); // the next in line may be first now, or fit as well
        }
    }

    /** Lets the ticket through without a slot if it is still queued (or has not queued yet). */
    void excuse(Ticket ticket) {
        lock.lock();
        try {
            ticket.excused = true;
            if (ticket.waiting) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            if (used <= 0) {
                throw new IllegalStateException("build slot released more often than acquired");
            }
            used--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int inUse() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** The ticket's place in the queue (1: next to get a slot), empty when it is not queued. */
    java.util.Optional<Integer> position(Ticket ticket) {
        lock.lock();
        try {
            int place = 1;
            for (Ticket queued : queue) {
                if (queued == ticket) {
                    return java.util.Optional.of(place);
                }
                place++;
            }
            return java.util.Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    int limit() {
        return limit;
    }
}
