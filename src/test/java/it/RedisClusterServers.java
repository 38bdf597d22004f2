package it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Redis Cluster on loopback: {@code masters} redis-server processes with
 * {@code --cluster-enabled yes} (and {@code replicas} replicas of each), joined by
 * {@code redis-cli --cluster create}. A node fails over after 1 s without its master.
 */
final class RedisClusterServers implements AutoCloseable {

    final List<RedisServer> nodes;

    private RedisClusterServers(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    static RedisClusterServers start(int masters, int replicas) throws IOException, InterruptedException {
        List<RedisServer> nodes = new ArrayList<>();
        for (int i = 0; i < masters * (1 + replicas); i++) {
            nodes.add(RedisServer.clusterNode());
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(n -> create.add("127.0.0.1:" + n.port));
        create.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
        Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "redis-cli --cluster create: " + output);
        RedisClusterServers cluster = new RedisClusterServers(nodes);
        for (RedisServer node : nodes) {
            cluster.await(node, info -> info.contains("cluster_state:ok"), "cluster_state:ok on " + node.port);
        }
        return cluster;
    }

    /** The seed URLs, comma-separated, as {@code SIGNALING_REDIS_URL} takes them: two of the nodes. */
    String seeds() {
        return nodes.get(0).url() + "," + nodes.get(1).url();
    }

    /** The master that serves this key's (or channel's) slot now, as the running nodes see it. */
    RedisServer masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (String line : clusterNodes().split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
            for (int i = 8; i < fields.length; i++) {
                if (fields[i].startsWith("[")) {
                    continue; // a slot being migrated
                }
                String[] bounds = fields[i].split("-");
                int from = Integer.parseInt(bounds[0]);
                int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
                if (slot >= from && slot <= to) {
                    return nodes.stream().filter(n -> n.port == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** Masters that serve slots now. */
    List<RedisServer> masters() {
        List<RedisServer> masters = new ArrayList<>();
        for (String line : clusterNodes().split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length >= 9 && fields[2].contains("master") && !fields[2].contains("fail")) {
                int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                nodes.stream().filter(n -> n.port == port).findFirst().ifPresent(masters::add);
            }
        }
        return masters;
    }

    private String clusterNodes() {
        RedisServer any = nodes.stream().filter(RedisServer::isRunning).findFirst().orElseThrow();
        return command(any, c -> c.sync().clusterNodes());
    }

    String command(RedisServer node, Function<StatefulRedisConnection<String, String>, String> call) {
        RedisClient client = RedisClient.create(RedisURI.create(node.url()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return call.apply(connection);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Polls the node's CLUSTER INFO until the condition holds (Redis has no event to await for it). */
    void await(RedisServer node, java.util.function.Predicate<String> clusterInfo, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (clusterInfo.test(command(node, c -> c.sync().clusterInfo()))) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not answering yet
            }
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer node : nodes) {
            node.close();
        }
    }
}
