package org.lanscape.signaling.topic;


import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One peer's send pump: its {@link FrameQueue}, written to its socket one write at a time within
 * the connection's {@link SendWindow}. The lock is held only to move frames, never during a
 * write. A write is asynchronous: the thread that flushes starts it, and its completion starts
 * the next (on the completion's thread, or, when it completed at once, in the loop of the thread
 * that started it, so that a long queue never deepens the stack). A ping goes before the queued
 * frames, and is written on a ping thread (the one blocking write the API has). Frames that do
 * not fit the window wait in the queue until a pong opens it; a frame larger than the window
 * goes alone, once everything before it was confirmed.
 */
final class Outbox {

    enum Result { QUEUED, FULL, CLOSED }

    /** Ping data: unguessable, so that a client cannot confirm what it has not read. */
    private static final SecureRandom TOKENS = new SecureRandom();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final FrameQueue queue;
    private final TopicObserver observer;
    private final SentLog sentLog; // null when replay is off
    private final long windowBytes;

    private final java.util.concurrent.Executor pings;

    private int waiting;
    private PeerSocket socket;
    /** The current connection's window; a new one per connection, so a write from an earlier one is recognised. */
    private SendWindow window;
    private boolean writing;
    /** The frame being written, until it is released. */
    private Frame inFlight;
    /** The write the flushing thread is starting: a completion that comes meanwhile leaves the loop to it. */
    private Write starting;
    private boolean pingWanted;
    private boolean closed;
    private volatile long writeStartedAt;
    private volatile long blockedSince;
    /** When the ping the client has not answered yet went out; 0 when none is outstanding. */
    private volatile long pingSentAt;
    private volatile long failedAt;

    /**
     * @param windowBytes the connection's {@link SendWindow}
     * @param replayChars characters of the relays sent lately kept for a resume; 0 keeps none
     */
    Outbox(PeerSocket socket, long maxBytes, NodeQueueBudget node, TopicObserver observer, long windowBytes,
           int replayChars, java.util.concurrent.Executor pings) {
        this.pings = pings;
        this.queue = new FrameQueue(maxBytes, node);
        this.observer = observer;
        this.windowBytes = windowBytes;
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

    /**
     * A reply for a peer that is away: kept for its resume whatever its budget says (replies are
     * few and small: one per message the client sent before its connection went).
     */
    void hold(Frame frame) {
        locked(() -> {
            if (!closed) {
                queue.add(frame);
            }
        });
    }

    /** Frames that go out before anything queued (a new session's welcome and peer-list); then {@link #flush}. */
    void startWith(List<Frame> frames) {
        locked(() -> {
            if (!closed) {
                queue.addFirst(frames);
            }
        });
    }

    /** Starts writing what is queued and fits the window, unless a write is under way. */
    void flush() {
        while (true) {
            Write next;
            lock.lock();
            try {
                next = claim();
                if (next == null) {
                    return;
                }
                starting = next;
            } finally {
                lock.unlock();
            }
            start(next);
            lock.lock();
            try {
                if (starting == next) {
                    starting = null;
                }
                if (!next.done || !next.proceed) {
                    return; // under way: its completion goes on
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void start(Write write) {
        if (write.frame == null) {
            pings.execute(() -> {
                Throwable failure = null;
                try {
                    write.socket.ping(write.token);
                } catch (Exception e) {
                    failure = e;
                }
                written(write, failure);
            });
        } else {
            write.socket.send(write.frame.text(), failure -> written(write, failure));
        }
    }

    /** A write completed (or failed): the next one starts, here or in the loop that started this one. */
    private void written(Write write, Throwable failure) {
        boolean proceed;
        lock.lock();
        try {
            proceed = finished(write, failure);
            if (starting == write) {
                write.done = true;
                write.proceed = proceed;
                return;
            }
        } finally {
            lock.unlock();
        }
        if (proceed) {
            flush();
        }
    }

    /** Sends a ping as soon as nothing is being written, before the queued frames; one outstanding does as well. */
    void ping() {
        locked(() -> pingWanted = true);
        flush();
    }

    /** A pong with that data: if it answers the window's ping, what waited for room goes out (on this thread). */
    boolean ponged(long token) {
        boolean confirmed = locked(() -> {
            if (window == null || !window.confirm(token)) {
                return false;
            }
            pingSentAt = 0; // under the lock: a ping claimed right after this keeps its own time
            return true;
        });
        if (confirmed) {
            flush();
        }
        return confirmed;
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

    /**
     * Nothing queued, nothing being written and no ping waiting for its pong, or nothing more can go
     * out (a write failed). A shutdown closes only idle peers, so its close frame never crosses a
     * pong on the wire: a client's pong that reaches a connection already closed would be answered
     * with a reset, which can take the close frame with it.
     */
    boolean isIdle() {
        return locked(() -> failedAt != 0 || queue.isEmpty() && !writing && pingSentAt == 0);
    }

    int queuedFrames() {
        return locked(queue::size);
    }

    long queuedBytes() {
        return locked(queue::bytes);
    }

    /** Bytes written on the current connection that its client has not confirmed; 0 when away. */
    long unconfirmedBytes() {
        return locked(() -> window == null ? 0 : window.unconfirmed());
    }

    /** What the next write may cost on the current connection before it has to wait for a pong; 0 when away. */
    long windowRoom() {
        return locked(() -> window == null ? 0 : Math.max(0, window.room()));
    }

    /**
     * How long the queue has not moved (nanoseconds): a write running, or frames waiting for a
     * client that does not confirm what it was sent; 0 when it moves.
     */
    long stalledFor(long now) {
        long started = writeStartedAt;
        long blocked = blockedSince;
        return Math.max(started == 0 ? 0 : now - started, blocked == 0 ? 0 : now - blocked);
    }

    /** How long the ping that went out last has waited for its pong (nanoseconds); 0 when none waits. */
    long pingUnansweredFor(long now) {
        long at = pingSentAt;
        return at == 0 ? 0 : now - at;
    }

    /** How long ago a write failed on the current connection; 0 if none did. */
    long failedFor(long now) {
        long at = failedAt;
        return at == 0 ? 0 : now - at;
    }

    // ---- the send loop, under the lock ----

    /** The next write, marking the outbox as writing; null when nothing may go now. */
    private Write claim() {
        if (closed || socket == null || failedAt != 0 || writing) {
            return null;
        }
        long now = System.nanoTime();
        Frame frame = queue.peek();
        long cost = frame == null ? 0 : SendWindow.cost(frame.bytes());
        // alone, a frame larger than the window still goes: nothing would ever make room for it
        boolean fits = frame != null && (window.admits(cost) || window.unconfirmed() == 0);
        if ((pingWanted || window.wantsPing() || frame != null && !fits) && !window.pingOutstanding()) {
            pingWanted = false; // one ping outstanding confirms everything before it
            long token = TOKENS.nextLong();
            window.pingSent(token);
            pingSentAt = now | 1;
            return start(new Write(socket, window, null, token), now);
        }
        pingWanted = false;
        if (frame == null) {
            blockedSince = 0;
            return null;
        }
        if (!fits) {
            if (blockedSince == 0) {
                blockedSince = now | 1;
            }
            return null;
        }
        blockedSince = 0;
        queue.poll();
        inFlight = frame;
        if (sentLog != null) {
            sentLog.sent(frame, now);
        }
        if (frame.isRelay()) {
            observer.handedOff(now - frame.receivedAt());
        }
        window.sent(cost);
        return start(new Write(socket, window, frame, 0), now);
    }

    private Write start(Write write, long now) {
        writing = true;
        writeStartedAt = now;
        return write;
    }

    /** After a write: false when the loop stops (it failed, or its connection was replaced meanwhile). */
    private boolean finished(Write write, Throwable failure) {
        if (write.window != window) {
            return false; // a write from a connection that is gone: the new one runs on its own
        }
        writing = false;
        writeStartedAt = 0;
        if (write.frame != null) {
            release(inFlight);
            inFlight = null;
        }
        if (failure != null) {
            failedAt = System.nanoTime() | 1; // the close that follows decides what happens to the peer
            return false;
        }
        return true;
    }

    private void attach(PeerSocket newSocket) {
        socket = newSocket;
        window = newSocket == null ? null : new SendWindow(windowBytes);
        failedAt = 0;
        pingSentAt = 0;
        writing = false;
    }

    /** The relays to send again after the client's {@code received}-th frame, from the log (none if off). */
    private List<Frame> replayFrom(long received) {
        return sentLog == null ? List.of() : sentLog.restart(received);
    }

    /** The frame being written on a connection that is gone: its writer will find the connection replaced. */
    private void forgetInFlight() {
        if (inFlight != null) {
            release(inFlight);
            inFlight = null;
        }
        writing = false;
        writeStartedAt = 0;
        blockedSince = 0;
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

    /**
     * One write, claimed under the lock and started without it: a ping ({@code frame} null) or a
     * whole frame. {@code done} and {@code proceed} are set, under the lock, when it completed
     * while its starter was still starting it.
     */
    private static final class Write {
        final PeerSocket socket;
        final SendWindow window;
        final Frame frame;
        final long token;
        boolean done;
        boolean proceed;

        Write(PeerSocket socket, SendWindow window, Frame frame, long token) {
            this.socket = socket;
            this.window = window;
            this.frame = frame;
            this.token = token;
        }
    }
}
