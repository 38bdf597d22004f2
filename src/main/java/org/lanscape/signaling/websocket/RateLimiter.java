package org.lanscape.signaling.websocket;

/**
 * A token bucket per connection: {@code ratePerSecond} tokens a second up to {@code burst}; each
 * message takes one. A connection that has {@code closeAfter} messages refused before its bucket
 * has filled up again (that is, without calming down for burst/rate seconds) is a flooder. Used
 * from one connection's message handler only, one message at a time.
 */
final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final int closeAfter;
    private double tokens;
    private long refilledAt;
    private int refused;

    RateLimiter(double ratePerSecond, int burst, int closeAfter, long now) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.closeAfter = closeAfter;
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** Takes a token for one message; false when the bucket is empty (the message is refused). */
    boolean tryAcquire(long now) {
        tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens >= burst) {
            refused = 0; // it calmed down: past refusals are forgiven
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        refused++;
        return false;
    }

    /** True once {@code closeAfter} messages were refused since the bucket was last full. */
    boolean shouldClose() {
        return refused >= closeAfter;
    }
}
