package org.lanscape.signaling.topic;

/**
 * One encoded message in a peer's queue. A broadcast is one Frame shared by every recipient; a
 * relay carries the time it was received, so its latency can be taken at hand-off to the socket.
 */
public final class Frame {

    private final String text;
    private final long receivedAt;

    private Frame(String text, long receivedAt) {
        this.text = text;
        this.receivedAt = receivedAt;
    }

    public static Frame of(String text) {
        return new Frame(text, 0);
    }

    public static Frame relay(String text, long receivedAt) {
        return new Frame(text, receivedAt);
    }

    public String text() {
        return text;
    }

    /** System.nanoTime() at receipt, or 0 when not timed. */
    long receivedAt() {
        return receivedAt;
    }
}
