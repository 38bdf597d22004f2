package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClusterContract} across runtimes: node A on Liberty, node B on Payara Micro 6, one real Redis.
 * The faults happen to B: a connection cut on Liberty resumes on Payara, Payara is killed with -9
 * and stopped with SIGTERM.
 */
class PayaraClusterIT extends ClusterContract {

    private static RedisServer redis;
    private static LibertyServer a;
    private static PayaraServer b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        a = LibertyServer.launch("mixedNodeA", env(redis));
        b = PayaraServer.start(Map.of(), env(redis));
        assertTrue(a.awaitSynced(java.time.Duration.ofSeconds(120)), "node A ready");
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
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
    void replaceNodeB() throws Exception {
        b = PayaraServer.start(Map.of(), env(redis));
    }

    @Override
    ServerProcess nodeA() {
        return a;
    }

    @Override
    ServerProcess nodeB() {
        return b;
    }
}
