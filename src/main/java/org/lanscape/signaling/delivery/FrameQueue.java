package org.lanscape.signaling.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/**
 * The frames waiting for one peer's connection, and the bytes they hold: a lane of frames that go
 * first (a new connection's welcome, peer-list and the relays held for it) and the queue behind
 * it. A frame counts from the moment it is added until it is {@link #release}d, which is once it was
 * written; a frame always fits into an empty queue, whatever its size. Not thread-safe: its
 * {@link Outbox} guards it.
 */
public final class FrameQueue {

    private final ArrayDeque<Frame> first = new ArrayDeque<>(2);
    private final ArrayDeque<Frame> queue = new ArrayDeque<>(4);
    private final long maxBytes;
    private final NodeQueueBudget node;
    /** Signalled when bytes are released, for relays waiting for room; of the guarding lock. */
    private final Condition room;
    private long bytes;
    private int waiting;

    FrameQueue(long maxBytes, NodeQueueBudget node, Condition room) {
        this.maxBytes = maxBytes;
        this.node = node;
        this.room = room;
    }

    boolean fits(Frame frame) {
        return bytes == 0 || bytes + frame.bytes() <= maxBytes;
    }

    /**
     * Waits at most {@code nanos} (under the guarding lock) until the frame fits or the queue is
     * {@code closed}; false if neither came (or the thread was interrupted).
     */
    boolean awaitRoom(Frame frame, long nanos, BooleanSupplier closed) {
        long left = nanos;
        while (!closed.getAsBoolean() && !fits(frame)) {
            if (left <= 0) {
                return false;
            }
            waiting++;
            try {
                left = room.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting--;
            }
        }
        return true;
    }

    /** The queue is closed: whoever waits for room stops waiting. */
    void wakeAll() {
        room.signalAll();
    }

    /**
     * A relay, if the node has room for it too; one for a session held for a resume only while
     * the node holds less than half its cap: the other half is for peers that read.
     */
    boolean addRelay(Frame frame, boolean held) {
        if (!node.tryTake(frame.bytes(), held ? node.max() / 2 : node.max())) {
            return false;
        }
        bytes += frame.bytes();
        queue.add(frame);
        return true;
    }

    /** A frame the peer must get: the node's cap does not refuse it. */
    void add(Frame frame) {
        count(frame);
        queue.add(frame);
    }

    /** Frames that go before everything queued. */
    void addFirst(List<Frame> frames) {
        for (Frame frame : frames) {
            count(frame);
            first.add(frame);
        }
    }

    /** The next frame to send, left in the queue, or null. */
    Frame peek() {
        Frame next = first.peek();
        return next != null ? next : queue.peek();
    }

    /** Takes the next frame to send (still counted until released), or null. */
    Frame poll() {
        Frame next = first.poll();
        return next != null ? next : queue.poll();
    }

    void release(Frame frame) {
        bytes -= frame.bytes();
        node.give(frame.bytes());
        if (waiting > 0) {
            room.signalAll();
        }
    }

    /**
     * Empties the queue for a new start and returns, uncounted, {@code replayed} and then the
     * relays and replies that were queued, in order; everything else queued is dropped.
     */
    List<Frame> takeRelays(List<Frame> replayed) {
        List<Frame> relays = new ArrayList<>(replayed);
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            for (Frame frame : lane) {
                release(frame);
                if (frame.isKept()) {
                    relays.add(frame);
                }
            }
            lane.clear();
        }
        return relays;
    }

    /** Releases what is queued: everything, or all but the relays and replies (kept while the peer is away). */
    void drop(boolean relaysToo) {
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            lane.removeIf(frame -> {
                if (relaysToo || !frame.isKept()) {
                    release(frame);
                    return true;
                }
                return false;
            });
        }
    }

    /** Removes the relays queued and returns them, in order; other frames stay. */
    List<Frame> removeRelays() {
        List<Frame> removed = new ArrayList<>();
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            lane.removeIf(frame -> {
                if (frame.isRelay()) {
                    release(frame);
                    removed.add(frame);
                    return true;
                }
                return false;
            });
        }
        return removed;
    }

    /** The relays queued, in order (for their senders to hear they were not delivered). */
    List<Frame> relays() {
        List<Frame> relays = new ArrayList<>();
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            for (Frame frame : lane) {
                if (frame.isRelay()) {
                    relays.add(frame);
                }
            }
        }
        return relays;
    }

    boolean isEmpty() {
        return first.isEmpty() && queue.isEmpty();
    }

    int size() {
        return first.size() + queue.size();
    }

    /** Bytes queued and in flight. */
    long bytes() {
        return bytes;
    }

    private void count(Frame frame) {
        node.take(frame.bytes());
        bytes += frame.bytes();
    }
}
