package it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * signaling.redis.topology=cluster: two Liberty nodes on a real Redis Cluster of three masters,
 * each with a replica. Topics on every shard work across the nodes through sharded Pub/Sub only
 * (no classic channel is in use anywhere), and when a master dies its replica takes over and the
 * nodes subscribe again there: the shard's topics keep working.
 */
class RedisClusterIT {

    private static RedisClusterServers redis;
    private static RedisServer victim;
    private static String nodeA;
    private static LibertyServer a;
    private static LibertyServer b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisClusterServers.start(3, 1);
        List<RedisServer> masters = redis.masters();
        assertEquals(3, masters.size(), "three masters");
        victim = masters.get(0);
        // node A's relay channel lives on the shard whose master the failover test kills
        nodeA = nameOn(victim, "node-a-", n -> "sig:{n:" + n + "}:inbox");
        String nodeB = nameOn(masters.get(1), "node-b-", n -> "sig:{n:" + n + "}:inbox");
        a = LibertyServer.launch("redisClusterA", env(nodeA));
        b = LibertyServer.launch("redisClusterB", env(nodeB));
        assertTrue(a.awaitSynced(Duration.ofSeconds(120)), "node A ready");
        assertTrue(b.awaitSynced(Duration.ofSeconds(120)), "node B ready");
    }

    private static Map<String, String> env(String nodeId) {
        return Map.of("SIGNALING_CLUSTER_MODE", "redis",
                "SIGNALING_REDIS_TOPOLOGY", "cluster",
                "SIGNALING_REDIS_URL", redis.seeds(),
                "SIGNALING_CLUSTER_NODE_ID", nodeId,
                // above the failover time (about 3-5 s here): a node whose heartbeat key is on the
                // failing shard cannot renew it meanwhile, and must not be taken for dead
                "SIGNALING_CLUSTER_NODE_TTL", "10s",
                "SIGNALING_CLUSTER_SCAN_INTERVAL", "1s");
    }

    /** The first name of this prefix whose key falls in a slot of that master. */
    private static String nameOn(RedisServer master, String prefix, java.util.function.Function<String, String> key) {
        for (int i = 0; ; i++) {
            if (redis.masterOf(key.apply(prefix + i)).port == master.port) {
                return prefix + i;
            }
        }
    }

    private static String topicOn(RedisServer master) {
        return nameOn(master, "shard-" + UUID.randomUUID() + "-", t -> "sig:{t:" + t + "}:members");
    }

    @BeforeEach
    void bothNodesReady() throws InterruptedException {
        assertTrue(a.awaitSynced(Duration.ofSeconds(30)), "node A ready");
        assertTrue(b.awaitSynced(Duration.ofSeconds(30)), "node B ready");
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

    @Test
    void topicsOnEveryShardWorkAcrossNodesThroughShardedPubSubOnly() throws Exception {
        List<WsClient> open = new ArrayList<>();
        try {
            Map<String, RedisServer> topics = new HashMap<>();
            for (RedisServer master : redis.masters()) {
                topics.put(topicOn(master), master);
            }
            for (String topic : topics.keySet()) {
                WsClient onA = WsClient.connect(a.wsBase(), topic);
                open.add(onA);
                onA.next("peer-list");
                WsClient onB = WsClient.connect(b.wsBase(), topic);
                open.add(onB);
                assertEquals(Set.of(onA.selfId), ClusterContract.ids(onB.next("peer-list")), "B's peer-list holds A's peer");
                assertEquals(onB.selfId, onA.next("peer-joined").getString("peerId"), "A hears of B's peer");
                onA.send("offer", onB.selfId, "{\"sdp\":\"o\"}", "a-to-b");
                JsonObject offer = onB.await("offer");
                assertEquals(onA.selfId, offer.getString("from"));
                onB.send("answer", onA.selfId, "{\"sdp\":\"a\"}", "b-to-a");
                assertEquals("b-to-a", onA.await("answer").getString("msgId"));
            }
            for (Map.Entry<String, RedisServer> topic : topics.entrySet()) {
                String channel = "sig:{t:" + topic.getKey() + "}:events";
                assertEquals("{" + channel + "=2}", redis.command(topic.getValue(),
                        c -> c.sync().pubsubShardNumsub(channel).toString()), "both nodes listen to the topic at its shard");
            }
            for (RedisServer master : redis.masters()) {
                assertEquals("[]", redis.command(master, c -> c.sync().pubsubChannels().toString()),
                        "no classic channel in use on " + master.port);
            }
            WsClient leaving = open.remove(open.size() - 1);
            String leavingId = leaving.selfId;
            leaving.close();
            assertEquals(leavingId, open.get(open.size() - 1).await("peer-left").getString("peerId"), "a leave crosses too");
        } finally {
            for (WsClient client : open) {
                client.close();
            }
        }
    }

    @Test
    void afterAMasterDiesItsTopicsKeepWorkingAcrossNodes() throws Exception {
        String topic = topicOn(victim);
        String channel = "sig:{t:" + topic + "}:events";
        try (WsClient onA = WsClient.connect(a.wsBase(), topic); WsClient onB = WsClient.connect(b.wsBase(), topic)) {
            onA.next("peer-list");
            assertEquals(onB.selfId, onA.next("peer-joined").getString("peerId"), "presence across nodes on the victim's shard");

            victim.stop(); // its replica takes over after the cluster node timeout (1 s)
            long failedAt = System.nanoTime();
            RedisServer promoted = awaitNewMaster(topic);
            awaitSubscribers(promoted, channel, 2);
            awaitSubscribers(promoted, "sig:{n:" + nodeA + "}:inbox", 1);
            long tookMs = (System.nanoTime() - failedAt) / 1_000_000;
            System.out.printf("redis cluster failover: both nodes subscribed at the new master %d ms after the old one died%n", tookMs);
            assertTrue(a.awaitSynced(Duration.ofSeconds(30)), "A ready");
            assertTrue(b.awaitSynced(Duration.ofSeconds(30)), "B ready");

            // the conversation goes on across nodes (A's relay channel moved too), and newcomers see everyone
            onB.send("offer", onA.selfId, "{}", "after-failover");
            assertEquals("after-failover", onA.await("offer").getString("msgId"));
            onA.send("answer", onB.selfId, "{}", "back");
            assertEquals("back", onB.await("answer").getString("msgId"));
            try (WsClient late = WsClient.connect(b.wsBase(), topic)) {
                assertEquals(Set.of(onA.selfId, onB.selfId), ClusterContract.ids(late.next("peer-list")));
                assertEquals(late.selfId, onA.await("peer-joined").getString("peerId"));
            }
            String fresh = topicOn(promoted);
            try (WsClient x = WsClient.connect(a.wsBase(), fresh); WsClient y = WsClient.connect(b.wsBase(), fresh)) {
                x.next("peer-list");
                assertEquals(y.selfId, x.next("peer-joined").getString("peerId"), "a new topic on that shard, across nodes");
                y.send("answer", x.selfId, "{}", "fresh");
                assertEquals("fresh", x.await("answer").getString("msgId"));
            }
        }
    }

    /** Polls the cluster until a running master other than the victim serves the topic's slot. */
    private static RedisServer awaitNewMaster(String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                RedisServer master = redis.masterOf("sig:{t:" + topic + "}:members");
                if (master != victim && master.isRunning()) {
                    return master;
                }
            } catch (RuntimeException notYet) {
                // no master for the slot yet
            }
            assertTrue(System.nanoTime() < deadline, "a replica took over the victim's slots");
            Thread.sleep(50);
        }
    }

    /** Polls PUBSUB SHARDNUMSUB until that many nodes listen to the channel at this master. */
    private static void awaitSubscribers(RedisServer master, String channel, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String expected = "{" + channel + "=" + count + "}";
        String seen;
        while (!(seen = redis.command(master, c -> c.sync().pubsubShardNumsub(channel).toString())).equals(expected)) {
            assertTrue(System.nanoTime() < deadline, channel + " has " + count + " subscribers at the new master, not " + seen);
            Thread.sleep(50);
        }
    }
}
