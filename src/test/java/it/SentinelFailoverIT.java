package it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * signaling.redis.topology=sentinel: two Liberty nodes find the master through a real Redis
 * Sentinel; the master is killed, Sentinel promotes its replica, and the nodes reconnect to it,
 * subscribe again and resync presence, so that topics keep working across nodes.
 */
class SentinelFailoverIT {

    private static RedisServer master;
    private static RedisServer replica;
    private static RedisServer sentinel;
    private static LibertyServer a;
    private static LibertyServer b;

    @BeforeAll
    static void start() throws Exception {
        master = RedisServer.start();
        replica = RedisServer.start("--replicaof", "127.0.0.1", String.valueOf(master.port));
        awaitReplicaInSync();
        sentinel = RedisServer.sentinel(master.port);
        Map<String, String> env = new HashMap<>(ClusterContract.env(master));
        env.put("SIGNALING_REDIS_TOPOLOGY", "sentinel");
        env.put("SIGNALING_REDIS_URL", "redis-sentinel://127.0.0.1:" + sentinel.port + "#signaling");
        a = LibertyServer.launch("sentinelA", env);
        b = LibertyServer.launch("sentinelB", env);
        assertTrue(a.awaitSynced(Duration.ofSeconds(120)), "node A ready");
        assertTrue(b.awaitSynced(Duration.ofSeconds(120)), "node B ready");
    }

    private static void awaitReplicaInSync() throws InterruptedException {
        RedisClient client = RedisClient.create(replica.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!connection.sync().info("replication").contains("master_link_status:up")) {
                assertTrue(System.nanoTime() < deadline, "the replica synced with the master");
                Thread.sleep(50); // polling Redis: replication has no event to await here
            }
        } finally {
            client.shutdown();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (LibertyServer server : new LibertyServer[] {a, b}) {
            if (server != null) {
                server.close();
            }
        }
        for (RedisServer redis : new RedisServer[] {sentinel, replica, master}) {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void afterTheMasterDiesTopicsKeepWorkingAcrossNodes() throws Exception {
        String topic = "sentinel-" + UUID.randomUUID();
        try (WsClient onA = WsClient.connect(a.wsBase(), topic); WsClient onB = WsClient.connect(b.wsBase(), topic)) {
            onA.next("peer-list");
            assertEquals(onB.selfId, onA.next("peer-joined").getString("peerId"), "presence across nodes through the master");

            master.stop(); // Sentinel sees it down after 1 s and promotes the replica
            long failedAt = System.nanoTime();
            assertTrue(a.awaitCluster(false, Duration.ofSeconds(20)), "readiness says so meanwhile, and stays UP");
            assertTrue(a.awaitSynced(Duration.ofSeconds(60)), "A works with the new master");
            assertTrue(b.awaitSynced(Duration.ofSeconds(60)), "B works with the new master");
            long tookMs = (System.nanoTime() - failedAt) / 1_000_000;
            System.out.printf("sentinel failover: both nodes registered again %d ms after the master died%n", tookMs);

            // the old conversation goes on across nodes, and newcomers see everyone
            onA.send("offer", onB.selfId, "{}", "after-failover");
            assertEquals("after-failover", onB.await("offer").getString("msgId"));
            try (WsClient late = WsClient.connect(b.wsBase(), topic)) {
                assertEquals(Set.of(onA.selfId, onB.selfId), ClusterContract.ids(late.next("peer-list")));
                assertEquals(late.selfId, onA.await("peer-joined").getString("peerId"));
            }
            String fresh = "sentinel-new-" + UUID.randomUUID();
            try (WsClient x = WsClient.connect(a.wsBase(), fresh); WsClient y = WsClient.connect(b.wsBase(), fresh)) {
                x.next("peer-list");
                assertEquals(y.selfId, x.next("peer-joined").getString("peerId"), "a new topic across nodes");
                y.send("answer", x.selfId, "{}", "fresh");
                assertEquals("fresh", x.await("answer").getString("msgId"));
            }
        }
    }
}
