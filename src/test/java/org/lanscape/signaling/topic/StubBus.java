package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.protocol.RawJson;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** A bus for one node whose {@link #open} a test can hold up (as a slow Redis would). */
class StubBus implements ClusterBus {

    volatile java.util.concurrent.CountDownLatch openGate = new java.util.concurrent.CountDownLatch(0);
    volatile java.util.concurrent.CountDownLatch opening = new java.util.concurrent.CountDownLatch(1);
    volatile Map<String, RemoteMember> remoteMembers = Map.of();
    /** Thrown by the next {@link #open}, once (a read that fails with an Error). */
    volatile Error openFailure;
    /** The time to live of the last session parked here. */
    volatile java.time.Duration parkedFor;
    /** What a claim answers: never, unless a test completes it. */
    final CompletableFuture<HandOver.Result> claimAnswer = new CompletableFuture<>();

    @Override
    public void start(BusListener listener) {
    }

    @Override
    public void stop() {
    }

    @Override
    public String nodeId() {
        return "stub";
    }

    @Override
    public Map<String, RemoteMember> open(String topic) {
        Error failure = openFailure;
        if (failure != null) {
            openFailure = null;
            opening.countDown();
            throw failure;
        }
        opening.countDown();
        try {
            openGate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return remoteMembers;
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
        return true;
    }

    @Override
    public void undeliverable(String senderNode, String fromPeerId, String code, RawJson msgId) {
    }

    @Override
    public CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic,
                                                    String subject, Predicate<HandOver> adopt) {
        return claimAnswer;
    }

    @Override
    public java.time.Duration claimTimeout() {
        return java.time.Duration.ofMillis(300);
    }

    @Override
    public boolean park(String topic, String token, org.lanscape.signaling.cluster.ParkedSession session,
                        java.time.Duration ttl) {
        parkedFor = ttl;
        return true;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of();
    }
}
