package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
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
 * Two nodes sharing topics through one real Redis. Peers on different nodes get what they would get
 * on one; then the faults: a connection cut on A resumed on B, Redis restarted empty, node B killed
 * with -9, node B shut down gracefully. Each test starts from two ready nodes and a running Redis:
 * one that killed or stopped node B gets a new one.
 */
abstract class ClusterContract {

    static final Duration NODE_TTL = Duration.ofSeconds(3);

    /** Every node's environment: short liveness timers, so that the fault tests take seconds. */
    static Map<String, String> env(RedisServer redis) {
        return Map.of("SIGNALING_CLUSTER_MODE", "redis",
                "SIGNALING_REDIS_URL", redis.url(),
                "SIGNALING_CLUSTER_NODE_TTL", NODE_TTL.toMillis() + "ms",
                "SIGNALING_CLUSTER_SCAN_INTERVAL", "1s",
                "SIGNALING_RATE_LIMIT", "100000", "SIGNALING_RATE_BURST", "100000",
                "SIGNALING_DEBUG_ENABLED", "true");
    }

    abstract RedisServer redis();

    abstract ServerProcess nodeA();

    abstract ServerProcess nodeB();

    /** Starts a new node B, of the same runtime, in place of one that a test killed or stopped. */
    abstract void replaceNodeB() throws Exception;

    /** Whatever the test before did: Redis runs, A and B are up and ready. */
    @BeforeEach
    void bothNodesReady() throws Exception {
        if (!redis().isRunning()) {
            redis().restart();
        }
        if (!nodeB().isAlive()) {
            nodeB().close();
            replaceNodeB();
        }
        assertTrue(nodeA().awaitSynced(Duration.ofSeconds(60)), "node A ready");
        assertTrue(nodeB().awaitSynced(Duration.ofSeconds(180)), "node B ready");
    }

    private static JsonObject json(RawWebSocket.Frame frame) {
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    static String topic() {
        return "c-" + UUID.randomUUID();
    }

    static Set<String> ids(JsonObject peerList) {
        return peerList.containsKey("peers") ? peerList.getJsonArray("peers").stream()
                .map(p -> p.asJsonObject().getString("id")).collect(Collectors.toSet()) : Set.of();
    }

    @Test
    void peersOnTwoNodesSeeEachOtherJoinAndLeave() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic + "?metadata=%7B%22n%22%3A%22a%22%7D")) {
            onA.next("peer-list");
            String bId;
            try (WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
                bId = onB.selfId;
                JsonObject list = onB.next("peer-list");
                assertEquals(Set.of(onA.selfId), ids(list), "B's peer-list holds the peer on A");
                assertEquals("a", list.getJsonArray("peers").getJsonObject(0).getJsonObject("metadata").getString("n"));
                assertEquals(bId, onA.next("peer-joined").getString("peerId"));
                String secondId;
                try (WsClient secondOnA = WsClient.connect(nodeA().wsBase(), topic)) {
                    secondId = secondOnA.selfId;
                    assertEquals(Set.of(onA.selfId, bId), ids(secondOnA.next("peer-list")));
                    assertEquals(secondId, onB.next("peer-joined").getString("peerId"));
                }
                assertEquals(secondId, onB.next("peer-left").getString("peerId"), "a leave on A reaches B");
                assertEquals(secondId, onA.next("peer-joined").getString("peerId"));
                assertEquals(secondId, onA.next("peer-left").getString("peerId"));
            }
            assertEquals(bId, onA.next("peer-left").getString("peerId"), "a leave on B reaches A");
        }
    }

    @Test
    void relaysCrossNodesWithFromAndMsgIdAndErrorsComeBack() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            onB.next("peer-list");
            for (String type : List.of("offer", "answer", "ice-candidate")) {
                onA.send(type, onB.selfId, "{\"sdp\":\"v=0\"}", "x-" + type);
                JsonObject relayed = onB.next(type);
                assertEquals(onA.selfId, relayed.getString("from"));
                assertEquals("x-" + type, relayed.getString("msgId"));
                assertEquals("v=0", relayed.getJsonObject("payload").getString("sdp"));
            }
            onB.send("answer", onA.selfId, "42", "back");
            assertEquals(42, onA.next("answer").getInt("payload"));
            onA.send("offer", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "{}", "nobody");
            assertEquals("target_not_found", onA.next("error").getString("code"));
            onA.send("bogus", onB.selfId, "{}", "t");
            assertEquals("invalid_type", onA.next("error").getString("code"));
            onA.send("{\"type\":\"offer\",\"msgId\":\"m\"}");
            assertEquals("missing_target", onA.next("error").getString("code"));
        }
    }

    @Test
    void oneSendersCandidatesArriveInOrderAcrossNodes() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            onB.next("peer-list");
            for (int i = 0; i < 300; i++) {
                onA.send("ice-candidate", onB.selfId, "{\"i\":" + i + "}", "c" + i);
            }
            for (int i = 0; i < 300; i++) {
                assertEquals("c" + i, onB.next("ice-candidate").getString("msgId"));
            }
        }
    }

    @Test
    void aConnectionCutOnOneNodeResumesOnTheOther() throws Exception {
        String topic = topic();
        try (WsClient sOnA = WsClient.connect(nodeA().wsBase(), topic); WsClient qOnB = WsClient.connect(nodeB().wsBase(), topic)) {
            sOnA.next("peer-list");
            assertEquals(qOnB.selfId, sOnA.next("peer-joined").getString("peerId"));
            qOnB.next("peer-list");
            RawWebSocket first = new RawWebSocket(URI.create(nodeA().wsBase() + "ws/" + topic + "?resumable=true"), 0);
            JsonObject welcome = json(first.readFrame());
            String id = welcome.getString("selfId");
            assertEquals(id, sOnA.next("peer-joined").getString("peerId"));
            assertEquals(id, qOnB.next("peer-joined").getString("peerId"));

            first.abort(); // no close frame: the connection is lost
            AwayPeers.await(nodeA().httpBase(), id);
            sOnA.send("offer", id, "{\"from\":\"a\"}", "gap-from-a");
            qOnB.send("offer", id, "{\"from\":\"b\"}", "gap-from-b");
            sOnA.send("ice-candidate", id, "{}", "gap-from-a-2");
            try (RawWebSocket back = new RawWebSocket(URI.create(nodeB().wsBase() + "ws/" + topic + "?resume="
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
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic);
             RawWebSocket stuckOnB = new RawWebSocket(URI.create(nodeB().wsBase() + "ws/" + topic), 4096)) {
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
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient localPartner = WsClient.connect(nodeA().wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            redis().stop();
            // readiness stays UP: a Redis outage is no reason to take every node out of the load balancer
            assertTrue(nodeA().awaitCluster(false, Duration.ofSeconds(20)), "ready, and says Redis is out of reach");
            // a conversation within one node goes on
            onA.send("offer", localPartner.selfId, "{}", "local");
            assertEquals("local", localPartner.await("offer").getString("msgId"));

            redis().restart(); // empty
            assertTrue(nodeA().awaitSynced(Duration.ofSeconds(30)), "A ready again");
            assertTrue(nodeB().awaitSynced(Duration.ofSeconds(30)), "B ready again");
            // presence was rebuilt: a newcomer on B sees both peers of A
            try (WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
                assertEquals(Set.of(onA.selfId, localPartner.selfId), ids(onB.next("peer-list")));
                onB.send("offer", onA.selfId, "{}", "after-restart");
                assertEquals("after-restart", onA.await("offer").getString("msgId"));
            }
        }
    }

    @Test
    void aKilledNodesPeersLeaveWithinTheBound() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic)) {
            onA.next("peer-list");
            WsClient onB1 = WsClient.connect(nodeB().wsBase(), topic);
            WsClient onB2 = WsClient.connect(nodeB().wsBase(), topic);
            Set<String> onB = Set.of(onB1.selfId, onB2.selfId);
            onA.next("peer-joined");
            onA.next("peer-joined");
            long killedAt = System.nanoTime();
            nodeB().kill9();
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
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
            onA.next("peer-list");
            assertEquals(onB.selfId, onA.next("peer-joined").getString("peerId"));
            long start = System.nanoTime();
            nodeB().sigterm();
            assertEquals(onB.selfId, onA.await("peer-left").getString("peerId"));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < NODE_TTL.toMillis(), "at once, not after the heartbeat TTL: " + tookMs + " ms");
            // (the close code the client sees on shutdown is ShutdownContract's subject)
            assertTrue(nodeB().awaitExit(Duration.ofSeconds(15)));
        }
        HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(nodeA().httpBase() + "debug/stats")).build(), HttpResponse.BodyHandlers.ofString());
        JsonObject cluster = Json.createReader(new StringReader(stats.body())).readObject().getJsonObject("cluster");
        assertEquals("redis", cluster.getString("mode"));
        assertTrue(cluster.getJsonArray("knownNodes").size() >= 1);
    }
}
