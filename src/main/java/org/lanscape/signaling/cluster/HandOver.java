package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;

import java.util.List;

/**
 * A session moving to another node for a resume: the peer, the relays held for it while it was
 * away (in order, with their senders), and how many messages its node read from the client on its
 * last connection (-1: unknown), which the client hears in its welcome; or, when the owner
 * refuses, only why.
 */
public record HandOver(Result result, String peerId, JsonValue metadata, List<HeldRelay> heldRelays, long clientMessages) {

    /** OWNER_DOWN: its node died with the session; it is parked in Redis once that node is found dead. */
    public enum Result { HANDED_OVER, EXPIRED, INVALID, OWNER_DOWN }

    public static HandOver refused(Result why) {
        return new HandOver(why, null, null, List.of(), -1);
    }

    public boolean handedOver() {
        return result == Result.HANDED_OVER;
    }
}
