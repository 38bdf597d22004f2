package org.lanscape.signaling.protocol;

/** The {@code code} of an {@code error} frame, with the seed's default message text. */
public enum ErrorCode {
    /** {@code type} is not offer, answer or ice-candidate. */
    INVALID_TYPE("invalid_type", "unknown message type"),
    /** {@code to} is missing or empty. */
    MISSING_TARGET("missing_target", "to required"),
    /** No peer with that id in the sender's topic. */
    TARGET_NOT_FOUND("target_not_found", "peer not found"),
    /** The target's queue stayed full for the whole relay wait, or the target went away. */
    DROPPED("dropped", "delivery failed"),
    /** The frame is not a JSON object of the protocol's shape (not in the seed: it closed the socket). */
    INVALID_MESSAGE("invalid_message", "invalid message"),
    /** Over the per-connection rate limit: the message was not processed (not in the seed). */
    RATE_LIMITED("rate_limited", "rate limit exceeded"),
    /** A resume token that is unknown, already used, expired or for another topic: this is a new session. */
    RESUME_FAILED("resume_failed", "resume token unknown, used or expired: this is a new session");

    private final String wire;
    private final String message;

    ErrorCode(String wire, String message) {
        this.wire = wire;
        this.message = message;
    }

    public String wire() {
        return wire;
    }

    public String message() {
        return message;
    }
}
