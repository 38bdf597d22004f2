package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/** The Lettuce client for one Redis server (or Sentinel set), or for a Redis Cluster, with our options. */
final class RedisClients {

    private static final Logger LOG = Logger.getLogger(RedisClients.class.getName());
    /** Commands one shard's connection holds while it (re)connects; beyond, they fail at once. */
    private static final int CLUSTER_REQUEST_QUEUE = 65_536;

    private RedisClients() {
    }

    /** {@code onTopologyChanged} runs when a Redis Cluster's slots changed owners. */
    static AbstractRedisClient create(String url, boolean sharded, Duration timeout, Duration topologyRefresh,
                                      Runnable onTopologyChanged) {
        TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
        if (!sharded) {
            RedisClient single = RedisClient.create(RedisURI.create(url));
            single.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .build());
            return single;
        }
        RedisClusterClient cluster = RedisClusterClient.create(seeds(url));
        // Lettuce opens a shard's connection at its first command and would reject that command
        // while it connects: commands wait instead, bounded by the timeout and the queue size.
        cluster.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .requestQueueSize(CLUSTER_REQUEST_QUEUE)
                .timeoutOptions(timeouts)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(topologyRefresh)
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        cluster.getResources().eventBus().get()
                .filter(ClusterTopologyChangedEvent.class::isInstance)
                .subscribe(event -> {
                    LOG.info("cluster: the Redis Cluster's topology changed; subscribing again at the slots' owners");
                    onTopologyChanged.run();
                });
        return cluster;
    }

    /** {@code redis://host:port,redis://host2:port}: the seed nodes of a Redis Cluster. */
    static List<RedisURI> seeds(String url) {
        return Arrays.stream(url.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(RedisURI::create).toList();
    }
}
