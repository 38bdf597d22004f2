package org.lanscape.signaling.delivery;

import org.lanscape.signaling.protocol.Utf8;

import java.security.SecureRandom;
import java.util.function.LongConsumer;

/**
 * The writes of one peer's current connection, one in flight at a time (Jetty's FrameFlusher):
 * which ping, frame, or part of a frame goes next within the connection's {@link SendWindow},
 * and what a finished write leaves. Every method runs under its {@link Outbox}'s lock; the
 * {@link Write} it hands out runs without it.
 */
final class Flusher {

    /** Ping data: unguessable, so that a client cannot confirm what it has not read. */
    private static final SecureRandom TOKENS = new SecureRandom();

    private final FrameQueue queue;
    private final SentLog sentLog; // null when replay is off
    private final LongConsumer handedOff;
    private final long windowBytes;

    private PeerSocket socket;
    /** The current connection's window; a new one per connection, so a write from an earlier one is recognised. */
    private SendWindow window;
    private boolean writing;
    /** The frame being written, or sent in parts, until it is released. */
    private Frame inFlight;
    /** Characters of {@link #inFlight} already sent, while it goes out in parts. */
    private int partSent;
    /** A streamed frame's next part, made but not yet admitted by the window. */
    private String pendingPart;
    private boolean pingWanted;
    private volatile long writeStartedAt;
    private volatile long blockedSince;
    /** When the ping the client has not answered yet went out; 0 when none is outstanding. */
    private volatile long pingSentAt;
    private volatile long failedAt;

    Flusher(FrameQueue queue, SentLog sentLog, LongConsumer handedOff, long windowBytes) {
        this.queue = queue;
        this.sentLog = sentLog;
        this.handedOff = handedOff;
        this.windowBytes = windowBytes;
    }

    /** A new connection (null: none): nothing of the old one's writes counts any more. */
    void attach(PeerSocket newSocket) {
        socket = newSocket;
        window = newSocket == null ? null : new SendWindow(windowBytes);
        failedAt = 0;
        pingSentAt = 0;
        writing = false;
    }

    boolean connected() {
        return socket != null;
    }

    /** Whether a write may start now, and there is something to write. */
    boolean canWrite() {
        return socket != null && failedAt == 0 && !writing
                && (!queue.isEmpty() || inFlight != null || pingWanted || window.wantsPing());
    }

    void wantPing() {
        pingWanted = true;
    }

    /** A pong with that data: true if it answers the window's ping. */
    boolean confirm(long token) {
        if (window == null || !window.confirm(token)) {
            return false;
        }
        pingSentAt = 0; // under the lock: a ping claimed right after this keeps its own time
        return true;
    }

    /** The next write, marking the connection as writing; null when nothing may go now. */
    Write next() {
        if (socket == null || failedAt != 0 || writing) {
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
        int maxPartChars = (int) (window.partLimit() - SendWindow.FRAME_OVERHEAD) / 3;
        String text = frame.text();
        int from = 0;
        int to;
        long cost;
        boolean whole = false;
        if (frame.source() != null) { // made part by part: taken now, so that its next part stays its own
            take(frame, now);
            if (pendingPart == null) {
                pendingPart = frame.source().next(maxPartChars);
            }
            to = pendingPart.length();
            cost = SendWindow.cost(Utf8.length(pendingPart));
        } else if (inFlight == null && window.fitsWhole(SendWindow.cost(frame.bytes()))) {
            whole = true;
            to = text.length();
            cost = SendWindow.cost(frame.bytes());
        } else {
            from = inFlight != null ? partSent : 0;
            to = Utf8.partEnd(text, from, maxPartChars);
            cost = SendWindow.cost(Utf8.length(text, from, to));
        }
        if (!window.admits(cost)) {
            // ask the client to confirm now, whatever half the window says, or nothing moves until the watchdog's ping
            if (!window.pingOutstanding() && window.admits(0)) {
                return pingWrite(now);
            }
            if (blockedSince == 0) {
                blockedSince = now | 1;
            }
            return null;
        }
        blockedSince = 0;
        take(frame, now);
        window.sent(cost);
        String part = frame.source() != null ? pendingPart : whole ? text : text.substring(from, to);
        boolean last = frame.source() != null ? frame.source().done() : to == text.length();
        pendingPart = null;
        partSent = to;
        return start(new Write(socket, window, frame, 0, part, whole, last), now);
    }

    /** The frame becomes the one in flight (taken from the queue) if it is not yet. */
    private void take(Frame frame, long now) {
        if (inFlight != null) {
            return;
        }
        queue.poll();
        inFlight = frame;
        partSent = 0;
        if (sentLog != null) {
            sentLog.sent(frame, now);
        }
        if (frame.isRelay()) {
            handedOff.accept(now - frame.receivedAt());
        }
    }

    /** After a write: false when the loop stops (it failed, or its connection was replaced meanwhile). */
    boolean finished(Write write, Throwable failure) {
        if (write.window() != window) {
            return false; // a write from a connection that is gone: the new one runs on its own
        }
        writing = false;
        writeStartedAt = 0;
        if (write.frame() != null && (write.last() || failure != null)) {
            queue.release(inFlight);
            inFlight = null;
        }
        if (failure != null) {
            failedAt = System.nanoTime() | 1; // the close that follows decides what happens to the peer
            return false;
        }
        return true;
    }

    /** Whether the write belongs to the current connection. */
    boolean current(Write write) {
        return write.window() == window;
    }

    /** The frame being written on a connection that is gone: its writer will find the connection replaced. */
    void forgetInFlight() {
        if (inFlight != null) {
            queue.release(inFlight);
            inFlight = null;
        }
        pendingPart = null;
        writing = false;
        writeStartedAt = 0;
        blockedSince = 0;
    }

    /** Nothing being written or half-written, no ping waiting for its pong; or nothing more can go out (a write failed). */
    boolean idle() {
        return failedAt != 0 || !writing && inFlight == null && pingSentAt == 0;
    }

    boolean failed() {
        return failedAt != 0;
    }
    long unconfirmed() {
        return window == null ? 0 : window.unconfirmed();
    }

    long room() {
        return window == null ? 0 : Math.max(0, window.room());
    }

    /** How long the queue has not moved: a write running, or frames waiting for a confirmation. */
    long stalledFor(long now) {
        return Math.max(since(writeStartedAt, now), since(blockedSince, now));
    }

    long pingUnansweredFor(long now) {
        return since(pingSentAt, now);
    }

    long failedFor(long now) {
        return since(failedAt, now);
    }

    private static long since(long at, long now) {
        return at == 0 ? 0 : now - at;
    }

    private Write pingWrite(long now) {
        long token = TOKENS.nextLong();
        window.pingSent(token);
        pingSentAt = now | 1;
        return start(new Write(socket, window, null, token, null, true, true), now);
    }

    private Write start(Write write, long now) {
        writing = true;
        writeStartedAt = now;
        return write;
    }
}
