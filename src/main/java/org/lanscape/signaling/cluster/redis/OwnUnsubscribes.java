package org.lanscape.signaling.cluster.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's own SUNSUBSCRIBEs whose confirmations have not come yet, by channel. Redis Cluster
 * ends a sharded subscription by itself when the channel's slot moves, with the same message as
 * the confirmation of ours: a confirmation that answers none of ours is a slot move.
 */
final class OwnUnsubscribes {

    private final Map<String, Integer> pending = new ConcurrentHashMap<>();

    void sent(String channel) {
        pending.merge(channel, 1, Integer::sum);
    }

    /** Redis ended the subscription to {@code channel}: true if it answers one of ours. */
    boolean confirmed(String channel) {
        boolean[] ours = {false};
        pending.computeIfPresent(channel, (c, n) -> {
            ours[0] = true;
            return n > 1 ? n - 1 : null;
        });
        return ours[0];
    }

    /** The connection is lost, and with it the confirmations on their way: none is counted on. */
    void connectionLost() {
        pending.clear();
    }
}
