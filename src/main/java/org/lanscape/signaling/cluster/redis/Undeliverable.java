package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.HeldRelay;
import org.lanscape.signaling.protocol.RawJson;

import java.util.List;

/**
 * Tells the senders of held relays that nobody will get them ({@code dropped}, with their msgIds):
 * a sender on this node at once, one on another node through that node's channel. A relay whose
 * sender is not known (carried by a node of an earlier release) is passed over.
 */
final class Undeliverable {

    private final RedisConnection redis;
    private final String node;
    private final ClusterObserver observer;

    Undeliverable(RedisConnection redis, String node, ClusterObserver observer) {
        this.redis = redis;
        this.node = node;
        this.observer = observer;
    }

    void dropped(BusListener listener, List<HeldRelay> relays) {
        for (HeldRelay relay : relays) {
            if (relay.from() == null) {
                continue;
            }
            if (relay.senderNode() == null || relay.senderNode().equals(node)) {
                listener.undeliverable(relay.from(), "dropped", relay.msgId());
            } else {
                tell(relay.senderNode(), relay.from(), "dropped", relay.msgId());
            }
        }
    }

    /** Tells the node of a sender that its relay could not be delivered. */
    void tell(String senderNode, String fromPeerId, String code, RawJson msgId) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async != null) {
            redis.publish(async, redis.nodeChannel(senderNode), BusMessage.undeliverable(node, fromPeerId, code, msgId));
            observer.messageOut(BusMessage.UNDELIVERABLE);
        }
    }
}
