package org.lanscape.signaling.cluster;

/** The answer to a claim on a place counted across the cluster. */
public enum Claim {
    /** The place is taken (or was this claimant's already). */
    ADMITTED,
    /** Every place is taken. */
    REFUSED,
    /** Nothing across the cluster could be asked (one node, or Redis away): the node's own count decides. */
    UNCHECKED
}
