package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;

import java.util.List;

/**
 * A resumable session that its node, stopping, left in Redis because no other node had claimed
 * it yet: the peer, who it authenticated as (null without auth), and the relays held for it.
 */
public record ParkedSession(String peerId, JsonValue metadata, String subject, List<String> heldFrames) {

    /** The node a parked session's presence names: none, until a resume takes it. */
    public static final String NODE = "parked";
}
