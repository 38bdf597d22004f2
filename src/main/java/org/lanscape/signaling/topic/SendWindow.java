package org.lanscape.signaling.topic;

/**
 * How much one connection may be sent that its client has not yet confirmed reading. Every byte
 * written counts against this window until the client answers a ping sent after it (its pong
 * proves it read everything before the ping); a frame that does not fit waits in its queue, and
 * its wait asks for a ping. So a client that stops reading makes the server hold at most the
 * window in the runtime's buffers (the rest stays in its queue, counted against its budget), a
 * write never fills the socket's send buffer (server.xml sets it above the window), and a queue
 * that does not move shows a client that confirms nothing (the watchdog's write timeout). A ping
 * goes out when half the window is unconfirmed, so that a client that reads keeps the window
 * open. Each frame is counted with {@link #FRAME_OVERHEAD} bytes more than its text, for the
 * socket's own bookkeeping of small writes. Not thread-safe: its {@link Outbox} guards it.
 */
final class SendWindow {

    /** Bytes counted for each frame beyond its text: its header and the socket's buffer overhead. */
    static final int FRAME_OVERHEAD = 512;
    /** A ping: its 8 bytes of data and the overhead. */
    static final long PING_COST = 8 + FRAME_OVERHEAD;

    private final long limit;
    private long written;
    private long confirmed;
    /** The outstanding ping's data, and {@link #written} when it went out; -1: none outstanding. */
    private long pingToken;
    private long pingWritten = -1;

    /** @param limit bytes; at least 16 KiB (see SignalingConfig) */
    SendWindow(long limit) {
        this.limit = limit;
    }

    /** What a frame of {@code bytes} UTF-8 bytes counts. */
    static long cost(int bytes) {
        return bytes + (long) FRAME_OVERHEAD;
    }

    /** Whether a write of that cost fits, leaving room for a ping. */
    boolean admits(long cost) {
        return cost <= room();
    }

    /** The largest cost a write may have now. */
    long room() {
        return limit - unconfirmed() - PING_COST;
    }

    void sent(long cost) {
        written += cost;
    }

    /** True when half the window waits for confirmation and no ping is out to confirm it. */
    boolean wantsPing() {
        return pingWritten < 0 && unconfirmed() >= limit / 2;
    }

    boolean pingOutstanding() {
        return pingWritten >= 0;
    }

    /** A ping with that data goes out now. */
    void pingSent(long token) {
        written += PING_COST;
        pingToken = token;
        pingWritten = written;
    }

    /** A pong with that data: true if it answers the outstanding ping, which confirms all before it. */
    boolean confirm(long token) {
        if (pingWritten < 0 || token != pingToken) {
            return false;
        }
        confirmed = pingWritten;
        pingWritten = -1;
        return true;
    }

    long unconfirmed() {
        return written - confirmed;
    }
}
