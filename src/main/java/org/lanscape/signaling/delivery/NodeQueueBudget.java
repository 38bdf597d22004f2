package org.lanscape.signaling.delivery;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all outbound queues of this node hold together, against a cap that keeps the heap
 * safe whatever the number of connections: a relay that would take the node over it is not queued
 * (its sender gets {@code dropped}). Presence and control frames are counted but never refused
 * here: they are small, shared by their recipients, and each peer's own budget bounds them.
 */
public final class NodeQueueBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public NodeQueueBudget(long maxBytes) {
        this.max = maxBytes;
    }

    /** Takes room for a relay if the node has it. */
    public boolean tryTake(int bytes) {
        return tryTake(bytes, max);
    }

    /** Takes room if the node holds no more than {@code limit} with it (a held session's relay: half the cap). */
    public boolean tryTake(int bytes, long limit) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit && now > 0) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Counts a frame that is queued whatever the node holds. */
    public void take(int bytes) {
        used.addAndGet(bytes);
    }

    public void give(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long max() {
        return max;
    }
}
