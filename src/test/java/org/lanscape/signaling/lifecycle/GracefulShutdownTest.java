package org.lanscape.signaling.lifecycle;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.LocalBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.SessionState;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window a stopping node's clients are asked to come back within (the 1012 close reason): it
 * grows with the node's sessions at signaling.shutdown.reconnect-rate, from 250 ms to half the
 * grace period, so that a large node's clients do not all come back in the same instant.
 */
class GracefulShutdownTest {

    private static GracefulShutdown shutdown(Duration grace) {
        GracefulShutdown shutdown = new GracefulShutdown();
        shutdown.config = new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
                65536).withResume(grace); // reconnect rate 1 000 a second
        return shutdown;
    }

    @Test
    void theReconnectWindowGrowsWithTheSessionsWithinItsBounds() {
        GracefulShutdown shutdown = shutdown(Duration.ofSeconds(15));
        assertEquals(250, shutdown.reconnectWindowMillis(12), "a small node: at once");
        assertEquals(2000, shutdown.reconnectWindowMillis(2000), "2 000 sessions at 1 000 a second");
        assertEquals(7500, shutdown.reconnectWindowMillis(20000), "at most half the grace period: they come back in time");
        assertEquals(250, shutdown(Duration.ofMillis(300)).reconnectWindowMillis(20000), "never under 250 ms");
    }

    /** A connection that hands what is written to it to the test. */
    private static final class QueueSocket implements PeerSocket {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();

        @Override
        public void send(String frame) {
            frames.add(frame);
        }

        @Override
        public void sendPart(String part, boolean last) {
            throw new UnsupportedOperationException("small frames only");
        }

        @Override
        public void ping(long data) {
        }

        @Override
        public void close(int code, String reason) {
        }

        /** The next frame of that type, waited for. */
        String next(String type) throws InterruptedException {
            for (String frame = frames.poll(5, TimeUnit.SECONDS); frame != null; frame = frames.poll(5, TimeUnit.SECONDS)) {
                if (frame.contains("\"type\":\"" + type + "\"")) {
                    return frame;
                }
            }
            return null;
        }
    }

    /** One node's bus that records the relays it answers undeliverable to other nodes' senders. */
    private static final class RecordingBus implements org.lanscape.signaling.cluster.ClusterBus {
        final LocalBus local = new LocalBus("stopping");
        final BlockingQueue<String> undeliverable = new LinkedBlockingQueue<>();

        @Override public void start(org.lanscape.signaling.cluster.BusListener listener) { local.start(listener); }
        @Override public void stop() { local.stop(); }
        @Override public String nodeId() { return local.nodeId(); }
        @Override public java.util.Map<String, org.lanscape.signaling.cluster.RemoteMember> open(String topic) { return local.open(topic); }
        @Override public void close(String topic) { local.close(topic); }
        @Override public void joined(String topic, String peerId, jakarta.json.JsonValue metadata) { local.joined(topic, peerId, metadata); }
        @Override public void left(String topic, String peerId) { local.left(topic, peerId); }
        @Override public boolean healthy() { return true; }
        @Override public java.util.Map<String, Object> describe() { return local.describe(); }

        @Override
        public boolean forward(org.lanscape.signaling.cluster.RemoteMember target, String topic, String fromPeerId, String frame,
                               RawJson msgId, String senderNode) {
            return local.forward(target, topic, fromPeerId, frame, msgId, senderNode);
        }

        @Override
        public void undeliverable(String senderNode, String fromPeerId, String code, RawJson msgId) {
            undeliverable.add(senderNode + " " + fromPeerId + " " + code + " " + msgId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<org.lanscape.signaling.cluster.HandOver.Result> claim(String owner,
                String token, long received, String topic, String subject,
                java.util.function.Predicate<org.lanscape.signaling.cluster.HandOver> adopt) {
            return local.claim(owner, token, received, topic, subject, adopt);
        }
    }

    /**
     * A node stopping with a session held for a resume (its connection lost before the stop) and a
     * relay from another node's peer held for it: the session ends and the relay's sender is told
     * dropped. Before, the shutdown closed it as if it were live, and its held relays went without a word.
     */
    @Test
    void aSessionHeldAtTheStopEndsAndItsHeldRelaysAreAnsweredDropped() throws Exception {
        SignalingConfig config = new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536).withResume(Duration.ofSeconds(15));
        RecordingBus bus = new RecordingBus();
        TopicRegistry registry = new TopicRegistry(config, TopicObserver.NONE, bus);
        Peer held = registry.join("room", null, "req", new QueueSocket(), true, Credentials.NONE);
        registry.sessions().connectionLost(held);
        String frame = "{\"type\":\"offer\",\"from\":\"SENDER\",\"payload\":{},\"msgId\":\"m1\"}";
        assertEquals(org.lanscape.signaling.cluster.BusListener.RelayOutcome.DELIVERED,
                registry.busListener().deliver("room", held.id(), frame, "SENDER", RawJson.of("\"m1\""), "other-node"));

        GracefulShutdown shutdown = shutdown(Duration.ofSeconds(15));
        shutdown.config = config;
        shutdown.lifecycle = new ServerLifecycle();
        shutdown.registry = registry;
        shutdown.bus = bus;
        shutdown.drain();

        assertEquals("other-node SENDER dropped \"m1\"", bus.undeliverable.poll(5, TimeUnit.SECONDS), "the sender's node is told");
        assertTrue(held.state() == SessionState.State.CLOSED, "the held session ended");
        assertEquals(0, registry.topics().peerCount());
    }
}
