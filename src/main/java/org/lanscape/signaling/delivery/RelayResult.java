package org.lanscape.signaling.delivery;

/** What became of one relayed message. */
public enum RelayResult {
    /** Queued for the target's socket. */
    DELIVERED,
    /** The target's queue stayed full for the whole relay wait, or the target went away. */
    DROPPED,
    /** No such peer in the sender's topic. */
    TARGET_NOT_FOUND,
    /** Sent to the node that holds the target (cluster mode); a failure there comes back as an error. */
    FORWARDED
}
