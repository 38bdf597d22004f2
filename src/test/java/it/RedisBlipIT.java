package it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.session.Credentials;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Redis blip at a network's round trip, at a small scale: two nodes in this JVM reach a real
 * redis-server through a proxy that holds every chunk back a millisecond each way, as a network
 * does. 400 peers a node, in 80 topics of 10 spread over both. Every Redis connection is dropped;
 * while the nodes register their peers again, a node that lives must not be taken for dead (its
 * heartbeat waited behind a resync of two round trips a peer: 1.8 s here, over the 1.5 s TTL), and
 * no client may hear of a peer leaving or joining: none did. (src/test/bench/redis-blip.sh does
 * the same at 19 000 peers a node, with every kind of Redis fault.)
 */
class RedisBlipIT {

    private static final int TOPICS = 80;
    private static final int PER_NODE = 5;
    private static final Duration NODE_TTL = Duration.ofMillis(1500);

    private RedisServer redis;
    private LatencyProxy network;
    private InJvmNode a;
    private InJvmNode b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        network = new LatencyProxy(redis.port(), 1000);
        a = InJvmNode.start(network.url(), "a-" + UUID.randomUUID(), NODE_TTL);
        b = InJvmNode.start(network.url(), "b-" + UUID.randomUUID(), NODE_TTL);
    }

    @AfterEach
    void stop() throws Exception {
        for (InJvmNode node : new InJvmNode[] {a, b}) {
            if (node != null) {
                node.bus().stop();
            }
        }
        if (network != null) {
            network.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static RecordingClient join(InJvmNode node, String topic) throws Exception {
        RecordingClient client = new RecordingClient();
        client.peer = node.registry().join(topic, null, "req", client, false, Credentials.NONE);
        client.id = client.next("welcome").getString("selfId");
        return client;
    }

    @Test
    void everyConnectionToRedisDroppedNoClientSeesAPeerLeaveOrJoin() throws Exception {
        List<List<RecordingClient>> rooms = new ArrayList<>();
        for (int t = 0; t < TOPICS; t++) {
            String topic = "blip-" + t + "-" + UUID.randomUUID();
            List<RecordingClient> room = new ArrayList<>();
            for (int i = 0; i < PER_NODE; i++) {
                room.add(join(a, topic));
                room.add(join(b, topic));
            }
            rooms.add(room);
        }
        for (List<RecordingClient> room : rooms) {
            Set<String> ids = new HashSet<>();
            room.forEach(c -> ids.add(c.id));
            for (RecordingClient client : room) {
                Set<String> others = new HashSet<>(ids);
                others.remove(client.id);
                client.awaitKnows(others);
            }
        }

        redis.killClients();
        awaitHealthy(a);
        awaitHealthy(b);
        // Both registered again. A node taken for dead would have its peers reaped within the TTL
        // and a scan: watch that long (nothing tells of an event that does not come).
        Thread.sleep(NODE_TTL.toMillis() + 1500);
        assertTrue(a.bus().healthy() && b.bus().healthy(), "neither node was taken for dead");

        List<String> heard = new ArrayList<>();
        for (List<RecordingClient> room : rooms) {
            for (RecordingClient client : room) {
                JsonObject message;
                while ((message = client.poll(Duration.ZERO)) != null) {
                    heard.add(message.getString("type") + " " + message.getString("peerId", "?"));
                }
            }
        }
        assertEquals(0, heard.size(), () -> heard.size() + " membership events, though no peer left or joined; the first: "
                + heard.subList(0, Math.min(10, heard.size())));

        RecordingClient fromB = rooms.get(0).get(1);
        RecordingClient toA = rooms.get(0).get(0);
        b.registry().relays().relay(fromB.peer, "offer", toA.id, RawJson.of("{}"), RawJson.of("\"after-blip\""), System.nanoTime());
        assertEquals("after-blip", toA.next("offer").getString("msgId"), "a relay across nodes after it");
    }

    /** Until the node saw the drop (it stops being healthy) and then registered again. */
    private static void awaitHealthy(InJvmNode node) throws InterruptedException {
        long lost = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (node.bus().healthy() && System.nanoTime() < lost) {
            Thread.sleep(5); // polling a state: the bus has no event for "lost" either
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!node.bus().healthy()) {
            assertTrue(System.nanoTime() < deadline, "node " + node.id() + " registered again");
            Thread.sleep(20); // polling a state: the bus has no event for "registered"
        }
    }
}
