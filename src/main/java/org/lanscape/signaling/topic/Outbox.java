package org.lanscape.signaling.topic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound side of one peer: the frames waiting for its connection, bounded in bytes, sent
 * through its socket one at a time (the WebSocket API allows one send in flight). A small state
 * machine under one lock, which is held only to move frames, never while a frame is sent:
 * <pre>
 * IDLE --claim--> SENDING --send returned--> PENDING --completion--> IDLE (claims the next)
 *                    \--completion came inside send--> SENT_INLINE --send returned--> IDLE (the same thread claims the next)
 * </pre>
 * so a completion reported on the sender's own stack never recurses, and no thread identity is
 * needed. A requested ping goes before the queued frames; the frames a new connection starts
 * with (welcome, peer-list, the relays held for it) go before everything.
 * <p>
 * A frame's bytes count against the budget from the moment it is queued until its send has
 * completed. A frame always fits into an empty outbox, whatever its size.
 */
final class Outbox {

    enum Result { QUEUED, FULL, CLOSED }

    private enum State { IDLE, SENDING, SENT_INLINE, PENDING }

    private static final Frame PING = Frame.control("");

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final ArrayDeque<Frame> first = new ArrayDeque<>(2);
    private final ArrayDeque<Frame> queue = new ArrayDeque<>(4);
    private final long maxBytes;
    private final NodeQueueBudget node;
    private final TopicObserver observer;
    private final SentLog sentLog; // null when replay is off

    private long bytes;
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
        this.maxBytes = maxBytes;
        this.node = node;
        this.observer = observer;
        this.sentLog = replayChars > 0 ? new SentLog(replayChars) : null;
        attach(socket);
    }

    /** A relay: waits at most {@code waitNanos} for room, then gives up (the sender gets dropped). */
    Result offer(Frame frame, long waitNanos) {
        Frame next;
        PeerSocket s;
        Completion c;
        lock.lock();
        try {
            long left = waitNanos;
            while (!closed && !fits(frame)) {
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
            if (!node.tryTake(frame.bytes())) {
                return Result.FULL;
            }
            bytes += frame.bytes();
            queue.add(frame);
            next = claim();
            s = socket;
            c = completion;
        } finally {
            lock.unlock();
        }
        if (next != null) {
            run(next, s, c);
        }
        return Result.QUEUED;
    }

    /**
     * A frame the peer must get (presence, an error for it): queued if its own budget has room,
     * FULL otherwise, never waiting; the node's cap does not refuse these. Never sends: the
     * caller {@link #flush}es once it holds no lock.
     */
    Result enqueue(Frame frame) {
        lock.lock();
        try {
            if (closed) {
                return Result.CLOSED;
            }
            if (!fits(frame)) {
                return Result.FULL;
            }
            node.take(frame.bytes());
            bytes += frame.bytes();
            queue.add(frame);
            return Result.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** Frames that go out before anything queued (a new session's welcome and peer-list); then {@link #flush}. */
    void startWith(List<Frame> frames) {
        lock.lock();
        try {
            if (!closed) {
                startWithLocked(frames);
            }
        } finally {
            lock.unlock();
        }
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
        Frame next;
        PeerSocket s;
        Completion c;
        lock.lock();
        try {
            pingWanted = true;
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

    /**
     * The connection is gone (the peer is held for a resume): nothing more is sent until
     * {@link #resume}; queued relays stay, and so does the log of what was sent.
     */
    void detach() {
        lock.lock();
        try {
            forgetInFlight();
            socket = null;
            completion = null;
            dropQueued(false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Back on a new connection: {@code head} (welcome, peer-list), then the relays the old
     * connection swallowed after the client's {@code received}-th frame (negative: it did not
     * say), then the relays held, in order. Membership events of the gap are dropped: the fresh
     * peer-list replaces them. Never sends: then {@link #flush}.
     */
    void resume(PeerSocket newSocket, List<Frame> head, long received) {
        lock.lock();
        try {
            forgetInFlight();
            List<Frame> relays = takeRelays(received);
            attach(newSocket);
            startWithLocked(head);
            first.addAll(relays); // still counted: takeRelays kept them in the budget
        } finally {
            lock.unlock();
        }
    }

    /**
     * The session goes elsewhere (another node): the relays it should get there (see
     * {@link #resume}), and nothing is queued here any more.
     */
    List<Frame> handOver(long received) {
        lock.lock();
        try {
            forgetInFlight();
            List<Frame> relays = takeRelays(received);
            for (Frame relay : relays) {
                release(relay);
            }
            closeLocked();
            return relays;
        } finally {
            lock.unlock();
        }
    }

    /** Nothing more goes out; returns the relays that were still waiting (their senders are told). */
    List<Frame> close() {
        lock.lock();
        try {
            List<Frame> undelivered = new ArrayList<>();
            for (Frame frame : first) {
                if (frame.isRelay()) {
                    undelivered.add(frame);
                }
            }
            for (Frame frame : queue) {
                if (frame.isRelay()) {
                    undelivered.add(frame);
                }
            }
            closeLocked();
            return undelivered;
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the relays sent on the live connection before that time (nanoTime). */
    void forgetSentBefore(long before) {
        if (sentLog == null) {
            return;
        }
        lock.lock();
        try {
            if (socket != null) {
                sentLog.forget(before);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Nothing queued and nothing in flight. */
    boolean isIdle() {
        lock.lock();
        try {
            return queue.isEmpty() && first.isEmpty() && state == State.IDLE;
        } finally {
            lock.unlock();
        }
    }

    int queuedFrames() {
        lock.lock();
        try {
            return queue.size() + first.size();
        } finally {
            lock.unlock();
        }
    }

    long queuedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
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

    private boolean fits(Frame frame) {
        return bytes == 0 || bytes + frame.bytes() <= maxBytes;
    }

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
        Frame next = first.poll();
        if (next == null) {
            next = queue.poll();
        }
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
                s = socket;
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

    private void startWithLocked(List<Frame> frames) {
        for (Frame frame : frames) {
            node.take(frame.bytes());
            bytes += frame.bytes();
            first.add(frame);
        }
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

    /**
     * Empties the outbox for a new start: the relays sent after the {@code received}-th frame
     * (from the log, counted again) followed by the relays still queued (still counted), in
     * order; everything else queued is released.
     */
    private List<Frame> takeRelays(long received) {
        List<Frame> relays = sentLog == null ? new ArrayList<>() : sentLog.restart(received);
        for (Frame replayed : relays) {
            node.take(replayed.bytes());
            bytes += replayed.bytes();
        }
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            for (Frame frame : lane) {
                if (frame.isRelay()) {
                    relays.add(frame);
                } else {
                    release(frame);
                }
            }
            lane.clear();
        }
        return relays;
    }

    /** While away, only relays are kept: membership and control frames would be replaced anyway. */
    private void dropQueued(boolean relaysToo) {
        for (ArrayDeque<Frame> lane : List.of(first, queue)) {
            lane.removeIf(frame -> {
                if (relaysToo || !frame.isRelay()) {
                    release(frame);
                    return true;
                }
                return false;
            });
        }
    }

    private void closeLocked() {
        closed = true;
        forgetInFlight();
        dropQueued(true);
        socket = null;
        completion = null;
        room.signalAll();
    }

    private void release(Frame frame) {
        bytes -= frame.bytes();
        node.give(frame.bytes());
        if (waiting > 0) {
            room.signalAll();
        }
    }

}
