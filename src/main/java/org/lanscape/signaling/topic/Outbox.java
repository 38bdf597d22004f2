package org.lanscape.signaling.topic;

import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One peer's send pump: its {@link FrameQueue}, sent through its socket one frame at a time (the
 * WebSocket API allows one send in flight). A small state machine under one lock, which is held
 * only to move frames, never while a frame is sent:
 * <pre>
 * IDLE --claim--> SENDING --send returned--> PENDING --completion--> IDLE (claims the next)
 *                    \--completion came inside send--> SENT_INLINE --send returned--> IDLE (the same thread claims the next)
 * </pre>
 * so a completion reported on the sender's own stack never recurses, and no thread identity is
 * needed. A requested ping goes before the queued frames.
 */
final class Outbox {

    enum Result { QUEUED, FULL, CLOSED }

    private enum State { IDLE, SENDING, SENT_INLINE, PENDING }

    private static final Frame PING = Frame.control("");

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final FrameQueue queue;
    private final TopicObserver observer;
    private final SentLog sentLog; // null when replay is off

    private int waiting;
    private State state = State.IDLE;
    private PeerSocket socket;
    /** The current connection's completion callback: a completion from an earlier connection is ignored. */
    private Completion completion;
    private Frame inFlight;
    private boolean pingWanted;
    private boolean closed;
    private volatile long sendStartedAt;
    private volatile long failedAt;

    /** @param replayChars characters of the relays sent lately kept for a resume; 0 keeps none */
    Outbox(PeerSocket socket, long maxBytes, NodeQueueBudget node, TopicObserver observer, int replayChars) {
        this.queue = new FrameQueue(maxBytes, node);
        this.observer = observer;
        this.sentLog = replayChars > 0 ? new SentLog(replayChars) : null;
        attach(socket);
    }

    /** A relay: waits at most {@code waitNanos} for room, then gives up (its sender gets dropped). Sends. */
    Result offer(Frame frame, long waitNanos) {
        lock.lock();
        try {
            long left = waitNanos;
            while (!closed && !queue.fits(frame)) {
                if (left <= 0) {
                    return Result.FULL;
                }
                waiting++;
                try {
                    left = room.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Result.FULL;
                } finally {
                    waiting--;
                }
            }
            if (closed) {
                return Result.CLOSED;
            }
            if (!queue.addRelay(frame)) {
                return Result.FULL;
            }
        } finally {
            lock.unlock();
        }
        flush();
        return Result.QUEUED;
    }

    /**
     * A frame the peer must get (presence, an error for it): queued if its budget has room, FULL
     * otherwise, never waiting. Never sends: the caller {@link #flush}es once it holds no lock.
     */
    Result enqueue(Frame frame) {
        lock.lock();
        try {
            if (closed) {
                return Result.CLOSED;
            }
            if (!queue.fits(frame)) {
                return Result.FULL;
            }
            queue.add(frame);
            return Result.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** Frames that go out before anything queued (a new session's welcome and peer-list); then {@link #flush}. */
    void startWith(List<Frame> frames) {
        locked(() -> {
            if (!closed) {
                queue.addFirst(frames);
            }
        });
    }

    /** Starts sending what is queued, if nothing is in flight; the send happens on this thread. */
    void flush() {
        Frame next;
        PeerSocket s;
        Completion c;
        lock.lock();
        try {
            next = claim();
            s = socket;
            c = completion;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            run(next, s, c);
        }
    }

    /** Sends a ping as soon as no frame is in flight, before the queued ones. */
    void ping() {
        locked(() -> pingWanted = true);
        flush();
    }

    /**
     * The connection is gone (the peer is held for a resume): nothing is sent until
     * {@link #resume}; the queued relays stay, and so does the log of what was sent.
     */
    void detach() {
        locked(() -> {
            forgetInFlight();
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
    void resume(PeerSocket newSocket, List<Frame> head, long received) {
        locked(() -> {
            forgetInFlight();
            List<Frame> relays = queue.takeRelays(replayFrom(received));
            attach(newSocket);
            queue.addFirst(head);
            queue.addFirst(relays);
        });
    }

    /** The session goes to another node: the relays it should get there (see {@link #resume}); nothing stays. */
    List<Frame> handOver(long received) {
        return locked(() -> {
            forgetInFlight();
            List<Frame> relays = queue.takeRelays(replayFrom(received));
            closeLocked();
            return relays;
        });
    }

    /** Nothing more goes out; returns the relays that were still waiting (their senders are told). */
    List<Frame> close() {
        return locked(() -> {
            List<Frame> undelivered = queue.relays();
            closeLocked();
            return undelivered;
        });
    }

    /** Forgets the relays sent on the live connection before that time (nanoTime). */
    void forgetSentBefore(long before) {
        if (sentLog != null) {
            locked(() -> {
                if (socket != null) {
                    sentLog.forget(before);
                }
            });
        }
    }

    /** Nothing queued and nothing in flight, or nothing more can go out (a send failed). */
    boolean isIdle() {
        return locked(() -> failedAt != 0 || queue.isEmpty() && state == State.IDLE);
    }

    int queuedFrames() {
        return locked(queue::size);
    }

    long queuedBytes() {
        return locked(queue::bytes);
    }

    /** How long the send in flight has been running (nanoseconds); 0 when none is. */
    long sendStalledFor(long now) {
        long started = sendStartedAt;
        return started == 0 ? 0 : now - started;
    }

    /** How long ago a send failed on the current connection; 0 if none did. */
    long failedFor(long now) {
        long at = failedAt;
        return at == 0 ? 0 : now - at;
    }

    // ---- the send loop ----

    /** Under the lock: the next frame to send, moving to SENDING, or null when nothing may go now. */
    private Frame claim() {
        if (closed || socket == null || failedAt != 0 || state != State.IDLE) {
            return null;
        }
        long now = System.nanoTime();
        if (pingWanted) {
            pingWanted = false;
            state = State.SENDING;
            sendStartedAt = now;
            return PING;
        }
        Frame next = queue.poll();
        if (next == null) {
            return null;
        }
        state = State.SENDING;
        inFlight = next;
        sendStartedAt = now;
        if (sentLog != null) {
            sentLog.sent(next, now);
        }
        return next;
    }

    /** Sends {@code next} and whatever follows, while completions come back inline. */
    private void run(Frame next, PeerSocket s, Completion c) {
        while (true) {
            if (next == PING) {
                try {
                    s.ping();
                } catch (RuntimeException e) {
                    // a ping that cannot be sent is what the liveness check is there to notice
                }
            } else {
                if (next.isRelay()) {
                    observer.handedOff(System.nanoTime() - next.receivedAt());
                }
                s.send(next.text(), c);
            }
            lock.lock();
            try {
                if (c != completion) {
                    return; // the connection was replaced meanwhile: the new one runs on its own
                }
                if (next == PING) {
                    sendStartedAt = 0;
                } else if (state == State.SENDING) {
                    state = State.PENDING; // the completion, when it comes, carries on
                    return;
                }
                state = State.IDLE;
                next = claim();
                if (next == null) {
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void completed(Completion c, Throwable failure) {
        Frame next;
        PeerSocket s;
        lock.lock();
        try {
            if (c != completion || inFlight == null) {
                return; // a late completion from a lost connection
            }
            release(inFlight);
            inFlight = null;
            sendStartedAt = 0;
            if (failure != null && failedAt == 0) {
                failedAt = System.nanoTime() | 1; // the close that follows decides what happens to the peer
            }
            if (state == State.SENDING) {
                state = State.SENT_INLINE; // the thread inside send takes the next one
                return;
            }
            state = State.IDLE;
            next = claim();
            s = socket;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            run(next, s, c);
        }
    }

    private final class Completion implements PeerSocket.SendCallback {
        @Override
        public void completed(Throwable failure) {
            Outbox.this.completed(this, failure);
        }
    }

    // ---- under the lock ----

    private void attach(PeerSocket newSocket) {
        socket = newSocket;
        completion = newSocket == null ? null : new Completion();
        failedAt = 0;
        state = State.IDLE;
    }

    /** The relays to send again after the client's {@code received}-th frame, from the log (none if off). */
    private List<Frame> replayFrom(long received) {
        return sentLog == null ? List.of() : sentLog.restart(received);
    }

    /** The send in flight on a connection that is gone may never report back. */
    private void forgetInFlight() {
        if (inFlight != null) {
            release(inFlight);
            inFlight = null;
        }
        sendStartedAt = 0;
        state = State.IDLE;
    }

    private void closeLocked() {
        closed = true;
        forgetInFlight();
        queue.drop(true);
        attach(null);
        room.signalAll();
    }

    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void release(Frame frame) {
        queue.release(frame);
        if (waiting > 0) {
            room.signalAll();
        }
    }
}
