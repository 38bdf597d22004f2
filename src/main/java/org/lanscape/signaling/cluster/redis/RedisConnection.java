package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * The node's two connections to Redis through Lettuce: one for commands (never blocking a caller:
 * while Redis is away commands fail at once rather than queue stale traffic) and one for Pub/Sub,
 * whose messages go to {@code inbound}. Lettuce reconnects by itself; a lost and a regained
 * connection are each logged once.
 */
final class RedisConnection {

    private static final Logger LOG = Logger.getLogger(RedisConnection.class.getName());

    private final String url;
    private final Duration timeout;
    private final AtomicBoolean lostReported = new AtomicBoolean();
    private RedisClient client;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;

    RedisConnection(String url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
    }

    /** Creates the client; {@code onConnected} runs at every (re)connect, {@code onLost} at every loss. */
    void start(Runnable onConnected, Runnable onLost) {
        client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (lostReported.compareAndSet(true, false)) {
                    LOG.info("cluster: connected to Redis again");
                }
                onConnected.run();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (lostReported.compareAndSet(false, true)) {
                    LOG.warning("cluster: lost the connection to Redis; peers on other nodes are out of reach until it is back");
                }
                onLost.run();
            }
        });
    }

    /** Opens what is not open yet (the maintenance thread); the Pub/Sub connection subscribes to {@code nodeChannel}. */
    void connect(String nodeChannel, BiConsumer<String, String> inbound) {
        if (commands == null) {
            commands = client.connect();
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> p = client.connectPubSub();
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    inbound.accept(channel, message);
                }
            });
            p.sync().subscribe(nodeChannel);
            pubsub = p;
        }
    }

    boolean created() {
        return commands != null && pubsub != null;
    }

    boolean isOpen() {
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        return c != null && c.isOpen() && p != null && p.isOpen();
    }

    /** Commands that return at once, or null while the connection is down. */
    RedisAsyncCommands<String, String> async() {
        StatefulRedisConnection<String, String> c = commands;
        return c != null && c.isOpen() ? c.async() : null;
    }

    /** Commands that wait (up to the timeout): the maintenance thread's and the shutdown's only. */
    RedisCommands<String, String> sync() {
        return commands.sync();
    }

    /** Subscribes and waits for Redis to confirm (up to the timeout). */
    void subscribe(String channel) throws Exception {
        pubsub.async().subscribe(channel).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void subscribeNow(String channel) {
        pubsub.sync().subscribe(channel);
    }

    void unsubscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p != null && p.isOpen()) {
            p.async().unsubscribe(channel);
        }
    }

    void shutdown() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
