package org.lanscape.signaling.delivery;

/**
 * How much one connection may be sent that its client has not yet confirmed reading. Frames are
 * written on the sending thread, straight into the socket, and such a write must never wait: a
 * write that waits for a client that stops reading holds its thread, and Liberty never releases a
 * thread whose blocking write outlives the connection's close. So every byte written counts
 * against this window until the client answers a ping sent after it (its pong proves it read
 * everything before the ping, which the socket has therefore let go of), and the window is kept
 * below what the socket's send buffer holds (server.xml sets it). A ping goes out when half the
 * window is unconfirmed, so that a client that reads keeps the window open; a frame that does
 * not fit waits in its queue for the pong. Each frame is counted with {@link #FRAME_OVERHEAD}
 * bytes more than its text, for the socket's own bookkeeping of small writes.
 * Not thread-safe: its {@link Outbox} guards it.
 */
public final class SendWindow {

    /** Bytes counted for each frame beyond its text: its header and the socket's buffer overhead. */
    public static final int FRAME_OVERHEAD = 512;
    /** A ping: its 8 bytes of data and the overhead. */
    public static final long PING_COST = 8 + FRAME_OVERHEAD;

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

    /**
     * Whether a frame of that cost can ever go out whole: it waits until the window has room
     * for it. One that cannot goes out as a message in parts of at most {@link #partLimit}.
     */
    boolean fitsWhole(long cost) {
        return cost + PING_COST <= limit;
    }

    /** The largest cost of one part of a message that is larger than the window. */
    long partLimit() {
        return limit / 4;
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
