package org.lanscape.signaling.cluster.redis;

import org.lanscape.signaling.protocol.RawJson;

/** What becomes of a message that arrived while the node's inbound budget was spent: never silence. */
interface InboundOverflow {

    /** A relay that was not delivered: its sender, on {@code senderNode}, hears {@code dropped}. */
    void relayShed(String senderNode, String fromPeerId, RawJson msgId);

    /** A membership event of the topic was not applied: the topic's view is read again from Redis. */
    void topicShed(String topic);
}
