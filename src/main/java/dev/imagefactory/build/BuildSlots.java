package dev.imagefactory.build;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fair (first come, first served) counting semaphore whose waiters can be excused: a queued build that another
 * build turns out to be waiting for is let through without a slot, because its waiter already holds one. That is
 * what keeps nested builds from deadlocking (see {@link ArtifactBuilds}).
 */
final class BuildSlots {

    /** One queued acquisition; {@code excused} lets it through without taking a slot. */
    static final class Ticket {
        private boolean excused; // guarded by the lock
        private boolean waiting; // guarded by the lock
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

    /**
     * Waits for a slot in arrival order. Returns {@code true} when a slot was taken (give it back with
     * {@link #release()}), {@code false} when the ticket was excused before a slot was free.
     */
    boolean acquire(Ticket ticket) throws InterruptedException {
        lock.lock();
        try {
            if (ticket.excused) {
                return false;
            }
            ticket.waiting = true;
            queue.addLast(ticket);
            try {
                while (true) {
                    if (ticket.excused) {
                        queue.remove(ticket);
                        changed.signalAll(); // the next in line may be at the head now
                        return false;
                    }
                    if (queue.peekFirst() == ticket && used < limit) {
                        queue.removeFirst();
                        used++;
                        changed.signalAll(); // the next in line may fit as well
                        return true;
                    }
                    changed.await();
                }
            } catch (InterruptedException e) {
                queue.remove(ticket);
                changed.signalAll();
                throw e;
            } finally {
                ticket.waiting = false;
            }
        } finally {
            lock.unlock();
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
