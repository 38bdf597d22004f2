package org.lanscape.signaling.session;

/** When a peer's client was last heard from and last pinged, for the watchdog (nanoTime). */
public final class ClientLiveness {

    private volatile long lastSeenAt;
    private volatile long lastPingAt;
    /** A ping went out on the current connection. */
    private volatile boolean pinged;

    ClientLiveness(long now) {
        reset(now);
    }

    /** Something (a message, a pong) arrived from the client. */
    public void seen(long now) {
        lastSeenAt = now;
    }

    /** A new connection: heard from now, not pinged yet. */
    void reset(long now) {
        lastSeenAt = now;
        lastPingAt = now;
        pinged = false;
    }

    void pingSent(long now) {
        lastPingAt = now;
        pinged = true;
    }

    public long lastSeenAt() {
        return lastSeenAt;
    }

    public long lastPingAt() {
        return lastPingAt;
    }

    public boolean pinged() {
        return pinged;
    }
}
