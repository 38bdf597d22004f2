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

    /** Whether a write may start now and there is something to write. */
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
                handedOff.accept(now - frame.receivedAt());
            }
        }
        window.sent(cost);
        partSent = to;
        return start(new Write(socket, window, frame, 0, from, to, to == text.length()), now);
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
        writing = false;
        writeStartedAt = 0;
        blockedSince = 0;
    }

    /** Nothing being written and no ping waiting for its pong, or nothing more can go out (a write failed). */
    boolean idle() {
        return failedAt != 0 || !writing && pingSentAt == 0;
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
        long started = writeStartedAt;
        long blocked = blockedSince;
        return Math.max(started == 0 ? 0 : now - started, blocked == 0 ? 0 : now - blocked);
    }

    long pingUnansweredFor(long now) {
        long at = pingSentAt;
        return at == 0 ? 0 : now - at;
    }

    long failedFor(long now) {
        long at = failedAt;
        return at == 0 ? 0 : now - at;
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

    /** Where a part that starts at {@code from} ends: at most {@code chars} long, never inside a surrogate pair. */
    private static int partEnd(String text, int from, int chars) {
        int to = Math.min(text.length(), from + Math.max(1, chars));
        if (to < text.length() && to - from > 1 && Character.isHighSurrogate(text.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /**
     * One write, claimed under the lock and run without it: a ping ({@code frame} null), a whole
     * frame, or a part {@code [from, to)} of one, {@code last} when it ends the message.
     */
    record Write(PeerSocket socket, SendWindow window, Frame frame, long token, int from, int to, boolean last) {

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
