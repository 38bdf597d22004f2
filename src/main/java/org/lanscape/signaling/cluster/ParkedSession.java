package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;

import java.util.List;

/**
 * A resumable session that its node, stopping, left in Redis because no other node had claimed
 * it yet: the peer, who it authenticated as (null without auth), the relays held for it, and how
 * many messages the node read from the client on its last connection (-1: unknown).
 */
public record ParkedSession(String peerId, JsonValue metadata, String subject, List<HeldRelay> heldRelays,
                            long clientMessages) {

    /** The node a parked session's presence names: none, until a resume takes it. */
    public static final String NODE = "parked";
}
