package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ClusterContract} with two Liberty server processes on one real Redis. */
class ClusterIT extends ClusterContract {

    private static RedisServer redis;
    private static LibertyServer a;
    private static LibertyServer b;
    private static int nodesStarted;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        a = LibertyServer.launch("nodeA", env(redis));
        b = LibertyServer.launch("nodeB", env(redis));
        assertTrue(a.awaitSynced(Duration.ofSeconds(120)), "node A ready");
        assertTrue(b.awaitSynced(Duration.ofSeconds(120)), "node B ready");
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

    @Override
    RedisServer redis() {
        return redis;
    }

    @Override
    ServerProcess nodeA() {
        return a;
    }

    @Override
    ServerProcess nodeB() {
        return b;
    }

    @Override
    void replaceNodeB() throws Exception {
        b = LibertyServer.start("nodeB" + (++nodesStarted), env(redis));
    }
}
