package it;

import org.lanscape.signaling.cluster.ClusterConfig;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.redis.RedisBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One cluster node in the test's JVM, without the WebSocket layer: a {@link TopicRegistry} with
 * its own {@link RedisBus} on a real redis-server, resume on (grace 30 s), scan every second.
 */
record InJvmNode(String id, RedisBus bus, TopicRegistry registry) {

    static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);

    static InJvmNode start(String redisUrl, String id, Duration nodeTtl) throws InterruptedException {
        return start(redisUrl, id, nodeTtl, 20_000);
    }

    /** With room for {@code maxConnections} peers. */
    static InJvmNode start(String redisUrl, String id, Duration nodeTtl, int maxConnections) throws InterruptedException {
        RedisBus bus = new RedisBus(new ClusterConfig(redisUrl, id, nodeTtl, Duration.ofSeconds(1), REDIS_TIMEOUT),
                ClusterObserver.NONE);
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536).withLimits(1000, maxConnections).withResume(Duration.ofSeconds(30)),
                TopicObserver.NONE, bus);
        bus.start(registry.busListener());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!bus.healthy()) {
            assertTrue(System.nanoTime() < deadline, "node " + id + " registered with Redis");
            Thread.sleep(20); // polling a state: the bus has no event for "registered"
        }
        return new InJvmNode(id, bus, registry);
    }
}
