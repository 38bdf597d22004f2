package org.lanscape.signaling.topic;

/**
 * A join refused for capacity. The handshake checks refuse these with an HTTP status before the
 * upgrade; this catches the few that race past them, so the limits hold exactly.
 */
public class JoinRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason { TOPIC_FULL, NODE_FULL }

    private final Reason reason;

    public JoinRefusedException(Reason reason) {
        super(reason == Reason.TOPIC_FULL ? "topic is full" : "server is full");
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
