package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.lanscape.signaling.cluster.ClusterConfig.Topology;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * The node's two connections to Redis through Lettuce: one for commands (never blocking a caller:
 * while Redis is away commands fail at once rather than queue stale traffic; on a Redis Cluster
 * they wait, up to the timeout, for a shard's connection to open) and one for Pub/Sub,
 * whose messages go to {@code inbound}. Lettuce reconnects by itself; a lost and a regained
 * connection are each logged once.
 * <p>
 * On a Redis Cluster both are Lettuce's cluster connections, and all Pub/Sub is sharded
 * ({@code SPUBLISH}/{@code SSUBSCRIBE}): a message goes only to the shard that owns its channel's
 * slot, where Lettuce routes the subscription too. When a slot moves (a reshard, a failover) Redis
 * ends its subscriptions there, and the topology refresh tells us the owner changed:
 * {@code onMoved} has the node subscribe again, at the new owner, and resync.
 */
final class RedisConnection {

    private static final Logger LOG = Logger.getLogger(RedisConnection.class.getName());

    private final String url;
    private final boolean sharded;
    private final Duration timeout;
    private final Duration topologyRefresh;
    private final AtomicBoolean lostReported = new AtomicBoolean();
    /** Channels this node listens to; a server-side unsubscribe from one of them means its slot moved. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final OwnUnsubscribes unsubscribing = new OwnUnsubscribes();
    /** On a Redis Cluster, the connections (one per shard and kind) that have connected once. */
    private final Set<RedisChannelHandler<?, ?>> firstConnects =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    private AbstractRedisClient client;
    private volatile StatefulConnection<String, String> commands;
    private volatile RedisClusterAsyncCommands<String, String> async;
    private volatile RedisClusterCommands<String, String> sync;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile Runnable onMoved = () -> { };

    RedisConnection(String url, Topology topology, Duration timeout, Duration topologyRefresh) {
        this.url = url;
        this.sharded = topology == Topology.CLUSTER;
        this.timeout = timeout;
        this.topologyRefresh = topologyRefresh;
    }

    /**
     * Creates the client; {@code onConnected} runs at every (re)connect, {@code onLost} at every loss,
     * {@code onMoved} when a Redis Cluster's slots changed owners.
     */
    void start(Runnable onConnected, Runnable onLost, Runnable onMoved) {
        this.onMoved = onMoved;
        client = RedisClients.create(url, sharded, timeout, topologyRefresh, () -> this.onMoved.run());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (sharded && firstConnects.add(connection)) {
                    return; // Lettuce opened a connection to one more shard: nothing was lost
                }
                if (lostReported.compareAndSet(true, false)) {
                    LOG.info("cluster: connected to Redis again");
                }
                onConnected.run();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection.isClosed()) {
                    return; // closed on purpose: a topology refresh's short connection, or the shutdown
                }
                if (lostReported.compareAndSet(false, true)) {
                    LOG.warning("cluster: lost the connection to Redis; peers on other nodes are out of reach until it is back");
                }
                unsubscribing.connectionLost();
                onLost.run();
            }
        });
    }

    /** Opens what is not open yet (the maintenance thread); the Pub/Sub connection subscribes to {@code nodeChannel}. */
    void connect(String nodeChannel, BiConsumer<String, String> inbound) {
        if (commands == null) {
            if (client instanceof RedisClusterClient cluster) {
                StatefulRedisClusterConnection<String, String> c = cluster.connect();
                async = c.async();
                sync = c.sync();
                commands = c;
            } else {
                StatefulRedisConnection<String, String> c = ((RedisClient) client).connect();
                async = c.async();
                sync = c.sync();
                commands = c;
            }
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> p = client instanceof RedisClusterClient cluster
                    ? cluster.connectPubSub() : ((RedisClient) client).connectPubSub();
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    inbound.accept(channel, message);
                }

                @Override
                public void smessage(String channel, String message) {
                    inbound.accept(channel, message);
                }

                @Override
                public void sunsubscribed(String channel, long count) {
                    if (!unsubscribing.confirmed(channel) && wanted.contains(channel)) { // not ours: Redis ended it, the slot moved
                        LOG.info(() -> "cluster: Redis ended the subscription to " + channel + "; subscribing again at its slot's owner");
                        onMoved.run();
                    }
                }
            });
            wanted.add(nodeChannel);
            try {
                if (sharded) {
                    p.sync().ssubscribe(nodeChannel);
                } else {
                    p.sync().subscribe(nodeChannel);
                }
            } catch (RuntimeException e) {
                p.closeAsync(); // the next beat opens another
                throw e;
            }
            pubsub = p;
        }
    }

    boolean created() {
        return commands != null && pubsub != null;
    }

    boolean isOpen() {
        StatefulConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        return c != null && c.isOpen() && p != null && p.isOpen();
    }

    /** Commands that return at once, or null while the connection is down. */
    RedisClusterAsyncCommands<String, String> async() {
        StatefulConnection<String, String> c = commands;
        return c != null && c.isOpen() ? async : null;
    }

    /** Commands that wait (up to the timeout): the maintenance thread's and the shutdown's only. */
    RedisClusterCommands<String, String> sync() {
        return sync;
    }

    String topicChannel(String topic) {
        return RedisKeys.topicChannel(topic, sharded);
    }

    String nodeChannel(String node) {
        return RedisKeys.nodeChannel(node, sharded);
    }

    /** PUBLISH, or SPUBLISH on a Redis Cluster; completes with the number of subscribers that got it. */
    RedisFuture<Long> publish(RedisClusterAsyncCommands<String, String> commands, String channel, String message) {
        return sharded ? commands.spublish(channel, message) : commands.publish(channel, message);
    }

    long publish(RedisClusterCommands<String, String> commands, String channel, String message) {
        return sharded ? commands.spublish(channel, message) : commands.publish(channel, message);
    }

    /** Subscribes and waits for Redis to confirm (up to the timeout). */
    void subscribe(String channel) throws Exception {
        wanted.add(channel);
        (sharded ? pubsub.async().ssubscribe(channel) : pubsub.async().subscribe(channel))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Subscribes without waiting; the future completes when Redis confirmed it. */
    java.util.concurrent.CompletableFuture<Void> subscribeAsync(String channel) {
        wanted.add(channel);
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no Pub/Sub connection"));
        }
        return (sharded ? p.async().ssubscribe(channel) : p.async().subscribe(channel)).toCompletableFuture();
    }

    /** Subscribes again, at the channel's current owner on a Redis Cluster; waits up to the timeout. */
    void subscribeNow(String channel) {
        wanted.add(channel);
        if (sharded) {
            pubsub.sync().ssubscribe(channel);
        } else {
            pubsub.sync().subscribe(channel);
        }
    }

    void unsubscribe(String channel) {
        wanted.remove(channel);
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p != null && p.isOpen()) {
            if (sharded) {
                unsubscribing.sent(channel);
                p.async().sunsubscribe(channel);
            } else {
                p.async().unsubscribe(channel);
            }
        }
    }

    void shutdown() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
