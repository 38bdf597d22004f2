package org.lanscape.signaling.cluster.redis;

import org.lanscape.signaling.protocol.RawJson;

import java.util.function.Consumer;

/** What a message past the inbound budget gets: a relay's sender hears {@code dropped}; a topic is read again from Redis. */
final class ShedAnswers implements InboundOverflow {

    private final Undeliverable undeliverable;
    private final Consumer<String> resync;

    ShedAnswers(Undeliverable undeliverable, Consumer<String> resync) {
        this.undeliverable = undeliverable;
        this.resync = resync;
    }

    @Override
    public void relayShed(String senderNode, String fromPeerId, RawJson msgId) {
        undeliverable.tell(senderNode, fromPeerId, "dropped", msgId);
    }

    @Override
    public void topicShed(String topic) {
        resync.accept(topic); // by the next beat, if this node still has peers in it
    }
}
