package org.lanscape.signaling.bench;

import org.lanscape.signaling.cluster.LocalBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The registry's hot paths with sockets that complete every send at once: a relay hand-off (its
 * cost must not grow with the number of peers and topics on the node), a join plus a leave, and a
 * broadcast to a room of N (one join seen by N members).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegistryBenchmark {

    /** Peers already on the node, in topics of 10. */
    @Param({"10", "1000", "50000"})
    int peersOnNode;

    @Param({"10"})
    int roomSize;

    private TopicRegistry registry;
    private Peer sender;
    private Peer target;
    private final RawJson payload = RawJson.of("{\"type\":\"offer\",\"sdp\":\"" + "v=0\\r\\n".repeat(300) + "\"}");
    private final RawJson msgId = RawJson.of("\"m-1\"");
    private int joins;

    static final PeerSocket INSTANT = new PeerSocket() {
        @Override
        public void send(String frame) {
        }

        @Override
        public void sendPart(String part, boolean last) {
        }

        @Override
        public void ping(long data) {
        }

        @Override
        public void close(int code, String reason) {
        }
    };

    @Setup
    public void setUp() throws Exception {
        registry = new TopicRegistry(new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536).withLimits(1_000_000, 10_000_000), TopicObserver.NONE, new LocalBus("bench"));
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < peersOnNode; i++) {
            peers.add(registry.join("room-" + (i / roomSize), null, "bench", INSTANT, false, Credentials.NONE));
        }
        sender = peers.get(0);
        target = peers.get(1);
    }

    @Benchmark
    public RelayResult relayHandOff() {
        return registry.relays().relay(sender, "offer", target.id(), payload, msgId, System.nanoTime());
    }

    /** A peer joins a room of roomSize (each member gets peer-joined) and leaves (peer-left). */
    @Benchmark
    public Peer joinAndLeaveRoomOfN() throws Exception {
        Peer peer = registry.join("room-0", null, "bench", INSTANT, false, Credentials.NONE);
        registry.leave(peer);
        joins++;
        return peer;
    }
}
