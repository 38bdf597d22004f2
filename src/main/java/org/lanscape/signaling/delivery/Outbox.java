package org.lanscape.signaling.delivery;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * One peer's send path: admission into its {@link FrameQueue} within the byte budgets, and the
 * pump that has a writer thread write it to the socket, one write at a time, as its
 * {@link Flusher} chooses within the connection's {@link SendWindow}. The lock is held only to
 * move frames, never during a write. A write is synchronous and, the window being below the
 * socket's send buffer, never waits for the client: frames that do not fit the window wait in
 * the queue until a pong opens it, and the thread that receives the pong sends them.
 */
public final class Outbox {

    /** NODE_FULL: the peer had room, the node's budget did not. */
    public enum Result { QUEUED, FULL, NODE_FULL, CLOSED }

    private final ReentrantLock lock = new ReentrantLock();
    private final FrameQueue queue;
    private final SentLog sentLog; // null when replay is off
    private final Flusher flusher;
    private final SendPump pump;

    private boolean closed;

    /**
     * @param handedOff told, for each relay written, how long after its receipt (nanoseconds)
     * @param windowBytes the connection's {@link SendWindow}
     * @param replayBytes bytes of the relays sent lately kept for a resume (0 keeps none), within {@code logs}
     */
    public Outbox(PeerSocket socket, long maxBytes, NodeQueueBudget node, LongConsumer handedOff, long windowBytes,
                  int replayBytes, NodeQueueBudget logs, WriterThreads writers) {
        this.queue = new FrameQueue(maxBytes, node, lock.newCondition());
        this.sentLog = replayBytes > 0 ? new SentLog(replayBytes, logs) : null;
        this.flusher = new Flusher(queue, sentLog, handedOff, windowBytes);
        this.pump = new SendPump(lock, flusher, writers, () -> closed);
        attach(socket);
    }

    /** A relay (for a session {@code held} for a resume, or not): waits at most {@code waitNanos} for room. Sends. */
    public Result offer(Frame frame, long waitNanos, boolean held) {
        Result result = locked(() -> {
            if (!queue.awaitRoom(frame, waitNanos, () -> closed)) {
                return Result.FULL;
            }
            return closed ? Result.CLOSED : queue.addRelay(frame, held) ? Result.QUEUED : Result.NODE_FULL;
        });
        if (result == Result.QUEUED) {
            flush();
        }
        return result;
    }

    /** A frame the peer must get (presence, an error): queued if its budget has room, never waiting nor sending. */
    public Result enqueue(Frame frame) {
        return locked(() -> {
            if (closed) {
                return Result.CLOSED;
            }
            if (!queue.fits(frame)) {
                return Result.FULL;
            }
            queue.add(frame);
            return Result.QUEUED;
        });
    }

    /** A reply for a peer that is away: kept for its resume whatever its budget says (replies are few and small). */
    public void hold(Frame frame) {
        locked(() -> {
            if (!closed) {
                queue.add(frame);
            }
        });
    }

    /** Frames that go out before anything queued (a new session's welcome and peer-list); then {@link #flush}. */
    public void startWith(List<Frame> frames) {
        locked(() -> {
            if (!closed) {
                queue.addFirst(frames);
            }
        });
    }

    /** Has a writer thread write what is queued and fits the window (see {@link SendPump}). */
    public void flush() {
        pump.flush();
    }

    /** Sends a ping as soon as nothing is being written, before the queued frames; one outstanding does as well. */
    public void ping() {
        locked(flusher::wantPing);
        flush();
    }

    /** A pong with that data: if it answers the window's ping, what waited for room goes out. */
    public boolean ponged(long token) {
        boolean confirmed = locked(() -> flusher.confirm(token));
        if (confirmed) {
            flush();
        }
        return confirmed;
    }

    /** The connection is gone (held for a resume): nothing is sent until {@link #resume}; relays and the log stay. */
    public void detach() {
        locked(() -> {
            flusher.forgetInFlight();
            attach(null);
            queue.drop(false);
        });
    }

    /**
     * Back on a new connection: {@code head} (welcome, peer-list), then the relays the old
     * connection swallowed after the client's {@code received}-th frame (negative: it did not
     * say), then the relays held, in order; the membership events of the gap go (the fresh
     * peer-list replaces them). Never sends: then {@link #flush}.
     */
    public void resume(PeerSocket newSocket, List<Frame> head, long received) {
        locked(() -> {
            flusher.forgetInFlight();
            List<Frame> relays = queue.takeRelays(replayFrom(received));
            attach(newSocket);
            queue.addFirst(head);
            queue.addFirst(relays);
        });
    }

    /** The session goes to another node: the relays it should get there (see {@link #resume}); nothing stays. */
    public List<Frame> handOver(long received) {
        return locked(() -> {
            flusher.forgetInFlight();
            List<Frame> relays = queue.takeRelays(replayFrom(received));
            closeLocked();
            return relays;
        });
    }

    /** Takes the relays queued for a session held without a connection, for the node's room (senders are told). */
    public List<Frame> removeRelays() {
        return locked(() -> flusher.connected() ? List.<Frame>of() : queue.removeRelays());
    }

    /** Nothing more goes out; returns the relays that were still waiting (their senders are told). */
    public List<Frame> close() {
        return locked(() -> {
            List<Frame> undelivered = queue.relays();
            closeLocked();
            return undelivered;
        });
    }

    /** Forgets the relays sent on the live connection before that time (nanoTime). */
    public void forgetSentBefore(long before) {
        if (sentLog != null) {
            locked(() -> {
                if (flusher.connected()) {
                    sentLog.forget(before);
                }
            });
        }
    }

    /**
     * Nothing queued, nothing being written and no ping waiting for its pong, or nothing more can go
     * out (a write failed). A shutdown closes only idle peers, so its close frame never crosses a
     * pong on the wire: a client's pong that reaches a connection already closed would be answered
     * with a reset, which can take the close frame with it.
     */
    public boolean isIdle() {
        return locked(() -> flusher.failed() || queue.isEmpty() && flusher.idle());
    }

    public int queuedFrames() {
        return locked(queue::size);
    }

    public long queuedBytes() {
        return locked(queue::bytes);
    }

    /** Bytes written on the current connection that its client has not confirmed; 0 when away. */
    public long unconfirmedBytes() {
        return locked(flusher::unconfirmed);
    }

    /** What the next write may cost on the current connection before it has to wait for a pong; 0 when away. */
    public long windowRoom() {
        return locked(flusher::room);
    }

    /** How long the queue has not moved (nanoseconds): a write running, or frames waiting for a confirmation. */
    public long stalledFor(long now) {
        return flusher.stalledFor(now);
    }

    /** How long the last ping has waited for its pong (nanoseconds); 0 when none waits. */
    public long pingUnansweredFor(long now) {
        return flusher.pingUnansweredFor(now);
    }

    /** How long ago a write failed on the current connection; 0 if none did. */
    public long failedFor(long now) {
        return flusher.failedFor(now);
    }

    private void attach(PeerSocket newSocket) {
        flusher.attach(newSocket);
        pump.reset(); // a pump of the old connection, still in a write, stops when it returns
    }

    /** The relays to send again after the client's {@code received}-th frame, from the log (none if off). */
    private List<Frame> replayFrom(long received) {
        return sentLog == null ? List.of() : sentLog.restart(received);
    }

    private void closeLocked() {
        closed = true;
        flusher.forgetInFlight();
        replayFrom(-1); // the log's bytes go back to the node
        queue.drop(true);
        attach(null);
        queue.wakeAll();
    }

    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
