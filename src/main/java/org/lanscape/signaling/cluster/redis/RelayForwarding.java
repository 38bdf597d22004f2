package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.json.JsonObject;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.protocol.RawJson;

/**
 * Relays between nodes: a relay goes, already encoded, to the node channel of the node that holds
 * its target; what cannot be delivered there comes back to the sender's node as
 * {@code undeliverable}. A relay that reaches the node its target just moved away from is sent on
 * to the new node once ({@code "hop":1}).
 */
final class RelayForwarding {

    private final RedisConnection redis;
    private final String node;
    private final ClusterObserver observer;
    private final Claims claims;
    private final Undeliverable undeliverable;
    private volatile BusListener listener;

    RelayForwarding(RedisConnection redis, String node, ClusterObserver observer, Claims claims, Undeliverable undeliverable) {
        this.redis = redis;
        this.node = node;
        this.observer = observer;
        this.claims = claims;
        this.undeliverable = undeliverable;
    }

    void start(BusListener listener) {
        this.listener = listener;
    }

    /** See {@link org.lanscape.signaling.cluster.ClusterBus#forward}. */
    boolean forward(RemoteMember target, String topic, String fromPeerId, String frame, RawJson msgId,
                    String senderNode) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return false;
        }
        String origin = senderNode == null ? node : senderNode;
        String message = BusMessage.relay(origin, topic, fromPeerId, target.id(), frame, msgId, senderNode != null);
        redis.publish(async, redis.nodeChannel(target.node()), message).whenComplete((receivers, failure) -> {
            // Redis unreachable, or nobody listening on the node's channel: that node is dead, or
            // alive and subscribing again after a blip. Its peers may live: dropped, never
            // target_not_found (a dead node's peers leave the views after its TTL; relays to them
            // are then refused here as unknown).
            if (failure != null || receivers == 0) {
                String code = "dropped";
                if (origin.equals(node)) {
                    listener.undeliverable(fromPeerId, code, msgId);
                } else {
                    undeliverable.tell(origin, fromPeerId, code, msgId);
                }
            }
        });
        observer.messageOut(BusMessage.RELAY);
        return true;
    }

    /** A relay for one of our peers arrived from {@code senderNode}. */
    void arrived(String senderNode, JsonObject message) {
        String topic = message.getString("topic");
        String to = message.getString("to");
        BusListener.RelayOutcome outcome = listener.deliver(topic, to, message.getString("frame"),
                message.getString("from"), BusMessage.msgId(message), senderNode);
        if (outcome == BusListener.RelayOutcome.DELIVERED) {
            return;
        }
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return;
        }
        String movedTo = outcome == BusListener.RelayOutcome.NOT_FOUND && !message.containsKey("hop")
                ? listener.nodeOf(topic, to) : null;
        if (movedTo != null) { // its session was resumed on another node: send it on, once
            redis.publish(async, redis.nodeChannel(movedTo), BusMessage.rerouted(message));
            observer.messageOut(BusMessage.RELAY);
            return;
        }
        if (outcome == BusListener.RelayOutcome.NOT_FOUND && claims.holdUntilClaimed(topic, () -> arrived(senderNode, message))) {
            return; // its session may be on its way here: handled again once this node's claim in the topic ends
        }
        undeliverable.tell(senderNode, message.getString("from"),
                outcome == BusListener.RelayOutcome.DROPPED ? "dropped" : "target_not_found", BusMessage.msgId(message));
    }
}
