package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Liberty servers sharing topics through one real Redis. Peers on different nodes get what
 * they would get on one node ({@link ClusterContract}); then the faults: Redis restarted empty, a node killed with -9, a
 * node shut down gracefully. Each test starts from two ready nodes and a running Redis: one that
 * killed or stopped node B gets a new one.
 */
class ClusterIT extends ClusterContract {

    private static final Duration NODE_TTL = Duration.ofSeconds(3);
    private static RedisServer redis;
    private static LibertyServer a;
    private static LibertyServer b;

    private static Map<String, String> env() {
        return Map.of("SIGNALING_CLUSTER_MODE", "redis",
                "SIGNALING_REDIS_URL", redis.url(),
                "SIGNALING_CLUSTER_NODE_TTL", NODE_TTL.toMillis() + "ms",
                "SIGNALING_CLUSTER_SCAN_INTERVAL", "1s",
                "SIGNALING_RATE_LIMIT", "100000", "SIGNALING_RATE_BURST", "100000",
                "SIGNALING_DEBUG_ENABLED", "true");
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        a = LibertyServer.launch("nodeA", env());
        b = LibertyServer.launch("nodeB", env());
        assertTrue(a.awaitStatus("/health/ready", 200, Duration.ofSeconds(120)), "node A ready");
        assertTrue(b.awaitStatus("/health/ready", 200, Duration.ofSeconds(120)), "node B ready");
    }

    @AfterAll
    static void stop() throws Exception {
        for (LibertyServer server : new LibertyServer[] {a, b}) {
            if (server != null) {
                server.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static int nodesStarted;

    /** Whatever the test before did: Redis runs, A and B are up and ready. */
    @BeforeEach
    void bothNodesReady() throws Exception {
        if (!redis.isRunning()) {
            redis.restart();
        }
        if (!b.isAlive()) {
            b.close();
            b = LibertyServer.start("nodeB" + (++nodesStarted), env());
        }
        assertTrue(a.awaitStatus("/health/ready", 200, Duration.ofSeconds(60)), "node A ready");
        assertTrue(b.awaitStatus("/health/ready", 200, Duration.ofSeconds(60)), "node B ready");
    }

    @Override
    ServerProcess nodeA() {
        return a;
    }

    @Override
    ServerProcess nodeB() {
        return b;
    }

    private static JsonObject json(RawWebSocket.Frame frame) {
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    @Test
    void aConnectionCutOnOneNodeResumesOnTheOther() throws Exception {
        String topic = topic();
        try (WsClient sOnA = WsClient.connect(a.wsBase(), topic); WsClient qOnB = WsClient.connect(b.wsBase(), topic)) {
            sOnA.next("peer-list");
            assertEquals(qOnB.selfId, sOnA.next("peer-joined").getString("peerId"));
            qOnB.next("peer-list");
            RawWebSocket first = new RawWebSocket(URI.create(a.wsBase() + "ws/" + topic + "?resumable=true"), 0);
            JsonObject welcome = json(first.readFrame());
            String id = welcome.getString("selfId");
            assertEquals(id, sOnA.next("peer-joined").getString("peerId"));
            assertEquals(id, qOnB.next("peer-joined").getString("peerId"));

            first.abort(); // no close frame: the connection is lost
            AwayPeers.await(a.httpBase(), id);
            sOnA.send("offer", id, "{\"from\":\"a\"}", "gap-from-a");
            qOnB.send("offer", id, "{\"from\":\"b\"}", "gap-from-b");
            sOnA.send("ice-candidate", id, "{}", "gap-from-a-2");
            try (RawWebSocket back = new RawWebSocket(URI.create(b.wsBase() + "ws/" + topic + "?resume="
                    + welcome.getString("resumeToken")), 0)) {
                JsonObject again = json(back.readFrame());
                assertEquals("welcome", again.getString("type"));
                assertEquals(id, again.getString("selfId"), "the same peer id, on the other node");
                assertEquals(Set.of(sOnA.selfId, qOnB.selfId), ids(json(back.readFrame())));
                List<String> gap = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    gap.add(json(back.readFrame()).getString("msgId"));
                }
                assertEquals(List.of("gap-from-a", "gap-from-a-2"), gap.stream().filter(m -> m.startsWith("gap-from-a")).toList());
                assertTrue(gap.contains("gap-from-b"), gap::toString);
                assertEquals(null, sOnA.poll(Duration.ofMillis(500)), "no peer-left, no peer-joined on A");
                assertEquals(null, qOnB.poll(Duration.ofMillis(100)), "nor on B");

                // both nodes reach it on B now, and it reaches both
                sOnA.send("answer", id, "{}", "after-from-a");
                qOnB.send("answer", id, "{}", "after-from-b");
                Set<String> after = Set.of(json(back.readFrame()).getString("msgId"), json(back.readFrame()).getString("msgId"));
                assertEquals(Set.of("after-from-a", "after-from-b"), after);
                back.sendText("{\"type\":\"answer\",\"to\":\"" + sOnA.selfId + "\",\"payload\":{},\"msgId\":\"back\"}");
                JsonObject answer = sOnA.next("answer");
                assertEquals(id, answer.getString("from"));
                assertEquals("back", answer.getString("msgId"));
                back.sendFrame(0x8, new byte[] {0x03, (byte) 0xE8}); // close 1000: a normal leave
            }
            // it closed normally on B: it leaves, once, everywhere
            assertEquals(id, sOnA.next("peer-left").getString("peerId"));
            assertEquals(id, qOnB.next("peer-left").getString("peerId"));
        }
    }

    @Test
    void aRemoteFullQueueComesBackAsDropped() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(a.wsBase(), topic);
             RawWebSocket stuckOnB = new RawWebSocket(URI.create(b.wsBase() + "ws/" + topic), 4096)) {
            String stuckId = Json.createReader(new StringReader(stuckOnB.readFrame().text())).readObject()
                    .getString("selfId");
            onA.next("peer-list");
            assertEquals(stuckId, onA.next("peer-joined").getString("peerId"));
            String big = "\"" + "s".repeat(60_000) + "\"";
            JsonObject error = null;
            for (int i = 0; i < 200 && error == null; i++) {
                onA.send("offer", stuckId, big, "f" + i);
                error = onA.poll(Duration.ofMillis(i < 100 ? 0 : 50));
            }
            if (error == null) {
                error = onA.next();
            }
            assertEquals("dropped", error.getString("code"), error::toString);
            assertTrue(error.getString("msgId").startsWith("f"));
        }
    }

    @Test
    void redisRestartedEmptyServiceRecoversAndPresenceIsRebuilt() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(a.wsBase(), topic); WsClient localPartner = WsClient.connect(a.wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            redis.stop();
            assertTrue(a.awaitStatus("/health/ready", 503, Duration.ofSeconds(20)), "readiness DOWN without Redis");
            // a conversation within one node goes on
            onA.send("offer", localPartner.selfId, "{}", "local");
            assertEquals("local", localPartner.await("offer").getString("msgId"));

            redis.restart(); // empty
            assertTrue(a.awaitStatus("/health/ready", 200, Duration.ofSeconds(30)), "A ready again");
            assertTrue(b.awaitStatus("/health/ready", 200, Duration.ofSeconds(30)), "B ready again");
            // presence was rebuilt: a newcomer on B sees both peers of A
            try (WsClient onB = WsClient.connect(b.wsBase(), topic)) {
                assertEquals(Set.of(onA.selfId, localPartner.selfId), ids(onB.next("peer-list")));
                onB.send("offer", onA.selfId, "{}", "after-restart");
                assertEquals("after-restart", onA.await("offer").getString("msgId"));
            }
        }
    }

    @Test
    void aKilledNodesPeersLeaveWithinTheBound() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(a.wsBase(), topic)) {
            onA.next("peer-list");
            WsClient onB1 = WsClient.connect(b.wsBase(), topic);
            WsClient onB2 = WsClient.connect(b.wsBase(), topic);
            Set<String> onB = Set.of(onB1.selfId, onB2.selfId);
            onA.next("peer-joined");
            onA.next("peer-joined");
            long killedAt = System.nanoTime();
            b.kill9();
            Set<String> left = Set.of(onA.await("peer-left").getString("peerId"), onA.await("peer-left").getString("peerId"));
            long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals(onB, left, "both of B's peers left");
            assertTrue(tookMs <= NODE_TTL.toMillis() + 1000 + 3000, "within TTL + scan interval (+ slack): " + tookMs + " ms");
            onB1.close();
            onB2.close();
        }
    }

    @Test
    void aNodeShutDownGracefullyRemovesItsPeersAtOnce() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(a.wsBase(), topic); WsClient onB = WsClient.connect(b.wsBase(), topic)) {
            onA.next("peer-list");
            assertEquals(onB.selfId, onA.next("peer-joined").getString("peerId"));
            long start = System.nanoTime();
            b.sigterm();
            assertEquals(onB.selfId, onA.await("peer-left").getString("peerId"));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < NODE_TTL.toMillis(), "at once, not after the heartbeat TTL: " + tookMs + " ms");
            // (the close code the client sees on shutdown is ShutdownIT's subject)
            assertTrue(b.awaitExit(Duration.ofSeconds(15)));
        }
        HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(a.httpBase() + "debug/stats")).build(), HttpResponse.BodyHandlers.ofString());
        JsonObject cluster = Json.createReader(new StringReader(stats.body())).readObject().getJsonObject("cluster");
        assertEquals("redis", cluster.getString("mode"));
        assertTrue(cluster.getJsonArray("knownNodes").size() >= 1);
    }
}
