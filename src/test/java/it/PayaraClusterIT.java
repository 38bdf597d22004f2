package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ClusterContract} across runtimes: node A on Liberty, node B on Payara Micro 6, one real Redis. */
class PayaraClusterIT extends ClusterContract {

    private static RedisServer redis;
    private static LibertyServer a;
    private static PayaraServer b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        Map<String, String> env = Map.of("SIGNALING_CLUSTER_MODE", "redis", "SIGNALING_REDIS_URL", redis.url(),
                "SIGNALING_RATE_LIMIT", "100000", "SIGNALING_RATE_BURST", "100000");
        a = LibertyServer.launch("mixedNodeA", env);
        b = PayaraServer.start(Map.of(), env);
        assertTrue(a.awaitStatus("/health/ready", 200, java.time.Duration.ofSeconds(120)), "node A ready");
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
    ServerProcess nodeA() {
        return a;
    }

    @Override
    ServerProcess nodeB() {
        return b;
    }
}
