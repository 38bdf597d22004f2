package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** One node, no cluster: every topic is local, nothing crosses the network. */
public final class LocalBus implements ClusterBus {

    private final String nodeId;

    public LocalBus(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public void start(BusListener listener) {
    }

    @Override
    public void stop() {
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Map<String, RemoteMember> open(String topic) {
        return Map.of();
    }

    @Override
    public void close(String topic) {
    }

    @Override
    public void joined(String topic, String peerId, JsonValue metadata) {
    }

    @Override
    public void left(String topic, String peerId) {
    }

    @Override
    public boolean forward(RemoteMember target, String topic, String fromPeerId, String frame, RawJson msgId,
                           String senderNode) {
        return false;
    }

    @Override
    public void undeliverable(String senderNode, String fromPeerId, String code, RawJson msgId) {
    }

    /** No other node: a token naming one is not ours to honour. */
    @Override
    public CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic,
                                                    String subject, Predicate<HandOver> adopt) {
        return CompletableFuture.completedFuture(HandOver.Result.INVALID);
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("mode", "none", "nodeId", nodeId);
    }
}
