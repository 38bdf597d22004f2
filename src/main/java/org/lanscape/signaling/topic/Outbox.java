package org.lanscape.signaling.topic;

import org.lanscape.signaling.protocol.Utf8;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One peer's send pump: its {@link FrameQueue}, written to its socket one write at a time by
 * whichever thread flushes, within the connection's {@link SendWindow}. The lock is held only to
 * move frames, never during a write. A frame larger than the window goes out as a message in
 * parts; a requested ping goes before the queued frames. A write is synchronous
 * and, the window being below the socket's send buffer, never waits for the client: frames that
 * do not fit the window wait in the queue until a pong opens it, and the thread that receives
 * the pong sends them.
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

    private final WriterThreads writers;

    private int waiting;
    /** A writer thread runs this connection's pump; guarded by the lock, reset with the connection. */
    private boolean pumping;
    private PeerSocket socket;
    /** The current connection's window; a new one per connection, so a write from an earlier one is recognised. */
    private SendWindow window;
    private boolean writing;
    /** The frame being written, or sent in parts, until it is released. */
    private Frame inFlight;
    /** Characters of {@link #inFlight} already sent, while it goes out in parts. */
    private int partSent;
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
           int replayChars, WriterThreads writers) {
        this.writers = writers;
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

    /**
     * Has a writer thread write what is queued and fits the window, unless one is at it for this
     * connection already. Never writes on the caller's thread: see {@link WriterThreads}.
     */
    void flush() {
        lock.lock();
        try {
            if (pumping || closed || socket == null || failedAt != 0 || writing
                    || queue.isEmpty() && inFlight == null && !pingWanted && !window.wantsPing()) {
                return;
            }
            pumping = true;
        } finally {
            lock.unlock();
        }
        writers.execute(this::pump);
    }

    /** On a writer thread: this connection's writes, one after the other, while there is one to make. */
    private void pump() {
        while (true) {
            Write next;
            lock.lock();
            try {
                next = claim();
                if (next == null) {
                    pumping = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            Throwable failure = writers.write(next::run);
            lock.lock();
            try {
                if (!finished(next, failure)) {
                    if (next.window() == window) {
                        pumping = false; // it failed: nothing more goes out on this connection
                    } // else: a connection that is gone; the new one has a pump of its own
                    return;
                }
            } finally {
                lock.unlock();
            }
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
        if (pingWanted || window.wantsPing()) {
            pingWanted = false;
            if (!window.pingOutstanding() && window.admits(0)) {
                return pingWrite(now);
            }
        }
        Frame frame = inFlight != null ? inFlight : queue.peek();
        if (frame == null) {
            blockedSince = 0;
            return null;
        }
        String text = frame.text();
        int from = inFlight != null ? partSent : 0;
        int to;
        long cost;
        if (from == 0 && window.fitsWhole(SendWindow.cost(frame.bytes()))) {
            to = text.length();
            cost = SendWindow.cost(frame.bytes());
        } else {
            to = partEnd(text, from, (int) (window.partLimit() - SendWindow.FRAME_OVERHEAD) / 3);
            cost = SendWindow.cost(Utf8.length(text, from, to));
        }
        if (!window.admits(cost)) {
            // It waits for the client to confirm what it was sent: ask it now, whatever half the
            // window says, or nothing moves until the watchdog's ping (after the write timeout).
            if (!window.pingOutstanding() && window.admits(0)) {
                return pingWrite(now);
            }
            if (blockedSince == 0) {
                blockedSince = now | 1;
            }
            return null;
        }
        blockedSince = 0;
        if (inFlight == null) {
            queue.poll();
            inFlight = frame;
            if (sentLog != null) {
                sentLog.sent(frame, now);
            }
            if (frame.isRelay()) {
                observer.handedOff(now - frame.receivedAt());
            }
        }
        window.sent(cost);
        partSent = to;
        return start(new Write(socket, window, frame, 0, from, to, to == text.length()), now);
    }

    private Write pingWrite(long now) {
        long token = TOKENS.nextLong();
        window.pingSent(token);
        pingSentAt = now | 1;
        return start(new Write(socket, window, null, token, 0, 0, true), now);
    }

    private Write start(Write write, long now) {
        writing = true;
        writeStartedAt = now;
        return write;
    }

    /** After a write: false when the loop stops (it failed, or its connection was replaced meanwhile). */
    private boolean finished(Write write, Throwable failure) {
        if (write.window() != window) {
            return false; // a write from a connection that is gone: the new one runs on its own
        }
        writing = false;
        writeStartedAt = 0;
        if (write.frame() != null && (write.last() || failure != null)) {
            release(inFlight);
            inFlight = null;
        }
        if (failure != null) {
            failedAt = System.nanoTime() | 1; // the close that follows decides what happens to the peer
            return false;
        }
        return true;
    }

    /** Where a part that starts at {@code from} ends: at most {@code chars} long, never inside a surrogate pair. */
    private static int partEnd(String text, int from, int chars) {
        int to = Math.min(text.length(), from + Math.max(1, chars));
        if (to < text.length() && to - from > 1 && Character.isHighSurrogate(text.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    private void attach(PeerSocket newSocket) {
        socket = newSocket;
        window = newSocket == null ? null : new SendWindow(windowBytes);
        failedAt = 0;
        pingSentAt = 0;
        writing = false;
        pumping = false; // a pump of the old connection, still in a write, stops when it returns
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
     * One write, claimed under the lock and run without it: a ping ({@code frame} null), a whole
     * frame, or a part {@code [from, to)} of one, {@code last} when it ends the message.
     */
    private record Write(PeerSocket socket, SendWindow window, Frame frame, long token, int from, int to,
                         boolean last) {

        /** Runs the write; the failure, or null. */
        Throwable run() {
            try {
                if (frame == null) {
                    socket.ping(token);
                } else if (from == 0 && last) {
                    socket.send(frame.text());
                } else {
                    socket.sendPart(frame.text().substring(from, to), last);
                }
                return null;
            } catch (Exception e) {
                return e;
            }
        }
    }
}
