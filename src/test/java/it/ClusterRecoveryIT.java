package it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.session.Credentials;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a node recovers what Redis or the other nodes did to it: two nodes in this JVM on a real
 * redis-server of this test's own, which it takes away.
 */
class ClusterRecoveryIT {

    private RedisServer redis;
    private RedisClient inspector;
    private StatefulRedisConnection<String, String> redisConnection;
    private InJvmNode n1;
    private InJvmNode n2;
    private String topic;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        inspector = RedisClient.create(redis.url());
        redisConnection = inspector.connect();
        n1 = InJvmNode.start(redis.url(), "n1-" + UUID.randomUUID(), Duration.ofSeconds(3));
        n2 = InJvmNode.start(redis.url(), "n2-" + UUID.randomUUID(), Duration.ofSeconds(3));
        topic = "rec-" + UUID.randomUUID();
    }

    @AfterEach
    void stop() throws Exception {
        n1.bus().stop();
        n2.bus().stop();
        redisConnection.close();
        inspector.shutdown();
        redis.close();
    }

    private RecordingClient join(InJvmNode node) throws Exception {
        RecordingClient client = new RecordingClient();
        client.peer = node.registry().join(topic, null, "req", client, false, Credentials.NONE);
        client.id = client.next("welcome").getString("selfId");
        return client;
    }

    /**
     * Another node took n1 for dead (a pause past the node TTL) and removed its peers: n1 notices
     * at its next heartbeat and registers them again, so the others see them come back. It used
     * to think itself registered forever, and its peers were gone for everyone else for good.
     */
    @Test
    void aNodeTakenForDeadWhileAliveRegistersItsPeersAgain() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient q = join(n2);
        q.awaitKnows(java.util.Set.of(p.id));
        // what the reaper on n2 does to a node whose heartbeat it found expired
        var redisCommands = redisConnection.sync();
        redisCommands.hdel("sig:{t:" + topic + "}:members", p.id);
        redisCommands.publish("sig:topic:" + topic, "{\"k\":\"leave\",\"node\":\"" + n1.id() + "\",\"topic\":\""
                + topic + "\",\"peer\":\"" + p.id + "\"}");
        redisCommands.del("sig:{n:" + n1.id() + "}:topics");
        redisCommands.srem("sig:nodes", n1.id());
        assertEquals(p.id, q.next("peer-left").getString("peerId"));

        JsonObject back = q.poll(Duration.ofSeconds(10));
        assertNotNull(back, "n1 registered its peer again");
        assertEquals("peer-joined", back.getString("type"));
        assertEquals(p.id, back.getString("peerId"));
        assertNotNull(redisCommands.hget("sig:{t:" + topic + "}:members", p.id), "its presence is back in Redis");
        assertTrue(redisCommands.sismember("sig:{n:" + n1.id() + "}:topics", topic));
    }

    /** A topic a node has no peer in any more leaves the node's topic set (it was only ever added to). */
    @Test
    void aTopicTheNodeNoLongerHasPeersInLeavesItsTopicSet() throws Exception {
        RecordingClient p = join(n1);
        String topics = "sig:{n:" + n1.id() + "}:topics";
        long added = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!redisConnection.sync().sismember(topics, topic) && System.nanoTime() < added) {
            Thread.sleep(20); // polling Redis: the join's presence is written without an answer awaited
        }
        assertTrue(redisConnection.sync().sismember(topics, topic), "added with the topic's first peer");
        n1.registry().sessions().connectionClosed(p.peer);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (redisConnection.sync().sismember(topics, topic) && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling Redis: the removal is sent without an answer awaited
        }
        assertTrue(!redisConnection.sync().sismember(topics, topic), "removed once its last peer left");
    }

    /** Losing Redis is a WARNING at the default level (it was FINE: invisible), and so is its return an INFO. */
    @Test
    void losingRedisIsLoggedWhereAnOperatorSeesIt() throws Exception {
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger cluster = Logger.getLogger("org.lanscape.signaling.cluster");
        cluster.addHandler(handler);
        try {
            redis.stop();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && !logged(records, Level.WARNING, "lost the connection to Redis")) {
                Thread.sleep(50); // polling the log: there is no event for it
            }
            assertTrue(logged(records, Level.WARNING, "lost the connection to Redis"), "a WARNING when Redis goes");
            redis.restart();
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && !n1.bus().healthy()) {
                Thread.sleep(50);
            }
            assertTrue(n1.bus().healthy());
            assertTrue(logged(records, Level.INFO, "connected to Redis again"), "an INFO when it is back");
        } finally {
            cluster.removeHandler(handler);
        }
    }

    private static boolean logged(List<LogRecord> records, Level level, String text) {
        synchronized (records) {
            return records.stream().anyMatch(r -> r.getLevel() == level && r.getMessage() != null
                    && r.getMessage().contains(text));
        }
    }
}
