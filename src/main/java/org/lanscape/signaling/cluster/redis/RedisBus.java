package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.ClusterConfig;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.protocol.RawJson;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Topics shared through Redis (Lettuce, non-blocking on every path a WebSocket thread takes).
 * <ul>
 * <li>Presence: each topic's members in a hash, each entry naming its node; each node renews a
 * heartbeat key with a TTL and lists the topics it has peers in. A node whose heartbeat expired is
 * dead: one surviving node (a lock decides which) removes its peers and publishes their leaves.</li>
 * <li>Traffic: a node subscribes to a topic's channel only while it has local peers in it, and to
 * its own node channel for relays to its peers. A membership event crosses Redis once per topic
 * and fans out locally; relays go to the one node that holds the target.</li>
 * <li>Faults: while Redis is unreachable the node serves its local conversations and reports
 * unhealthy; when Redis is back (even empty) it re-registers its peers and re-reads the remote
 * members of its topics.</li>
 * <li>Resume on another node: the node the client came back to claims the session from the node
 * named in the token; that one hands it over (peer, held relays) on the claimant's node channel,
 * points the presence entry at the claimant and publishes the move on the topic's channel.
 * Relays that still reach the old node are sent on once.</li>
 * </ul>
 * The Pub/Sub connection's thread only hands messages to workers (one per stripe, chosen by
 * topic, which keeps each topic's events and relays in order), so a slow consumer never makes
 * Redis buffer output for this node.
 */
public final class RedisBus implements ClusterBus {

    private static final Logger LOG = Logger.getLogger(RedisBus.class.getName());

    private final ClusterConfig config;
    private final ClusterObserver observer;
    private final String node;
    private final Duration timeout;
    private final ScheduledExecutorService maintenance;
    private final ExecutorService[] stripes;

    private RedisClient client;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile BusListener listener;
    private volatile boolean synced;          // presence registered and remote views read since the last (re)connect
    private volatile boolean stopping;
    private volatile Set<String> knownNodes = Set.of();
    /** Resume claims this node sent, by claim id, until the owner answers or the Redis timeout. */
    private final Map<String, PendingClaim> claims = new ConcurrentHashMap<>();

    private record PendingClaim(Predicate<HandOver> adopt, CompletableFuture<HandOver.Result> result) {
    }

    public RedisBus(ClusterConfig config, ClusterObserver observer) {
        this.config = config;
        this.observer = observer;
        this.node = config.nodeId();
        this.timeout = config.redisTimeout();
        this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("signaling-cluster"));
        int n = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        this.stripes = new ExecutorService[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = Executors.newSingleThreadExecutor(daemon("signaling-cluster-in-" + i));
        }
    }

    @Override
    public void start(BusListener listener) {
        this.listener = listener;
        client = RedisClient.create(RedisURI.create(config.redisUrl()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while Redis is away, fail at once rather than queue stale traffic: reconcile() repairs
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (synced || commands != null) {
                    observer.reconnected();
                }
                synced = false; // the next heartbeat re-registers and re-reads
                maintenance.execute(RedisBus.this::tick);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                synced = false;
            }
        });
        long beat = Math.max(100, config.nodeTtl().toMillis() / 3);
        maintenance.scheduleWithFixedDelay(this::tick, 0, beat, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::scanSafely, config.scanInterval().toMillis(),
                config.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info(() -> "cluster mode redis: node " + node);
    }

    @Override
    public String nodeId() {
        return node;
    }

    @Override
    public Duration claimTimeout() {
        return timeout.multipliedBy(2);
    }

    @Override
    public boolean healthy() {
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        return synced && c != null && c.isOpen() && p != null && p.isOpen();
    }

    @Override
    public Map<String, RemoteMember> open(String topic) {
        if (!healthy()) {
            return Map.of(); // the reconcile after the reconnect fills the view in
        }
        try {
            pubsub.async().subscribe(RedisKeys.topicChannel(topic)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            Map<String, String> entries = commands.async().hgetall(RedisKeys.members(topic))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            observer.redisRoundTrip(System.nanoTime() - start);
            return remoteMembers(entries);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.WARNING, "cluster: could not read the members of topic=" + topic + "; local view only until Redis answers", e);
            synced = false;
            return Map.of();
        }
    }

    @Override
    public void close(String topic) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p != null && p.isOpen()) {
            p.async().unsubscribe(RedisKeys.topicChannel(topic));
        }
    }

    @Override
    public void joined(String topic, String peerId, JsonValue metadata) {
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis == null) {
            return; // reconcile() registers it when Redis is back
        }
        // Presence first, then the event: a node that reads the hash after subscribing sees either.
        redis.hset(RedisKeys.members(topic), peerId, BusMessage.member(node, metadata));
        redis.sadd(RedisKeys.nodeTopics(node), topic);
        redis.publish(RedisKeys.topicChannel(topic), BusMessage.join(node, topic, peerId, metadata));
        observer.messageOut(BusMessage.JOIN);
    }

    @Override
    public void left(String topic, String peerId) {
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis == null) {
            return;
        }
        redis.hdel(RedisKeys.members(topic), peerId);
        redis.publish(RedisKeys.topicChannel(topic), BusMessage.leave(node, topic, peerId));
        observer.messageOut(BusMessage.LEAVE);
    }

    @Override
    public boolean forward(RemoteMember target, String topic, String fromPeerId, String frame, RawJson msgId,
                           String senderNode) {
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis == null) {
            return false;
        }
        String origin = senderNode == null ? node : senderNode;
        String message = BusMessage.relay(origin, topic, fromPeerId, target.id(), frame, msgId, senderNode != null);
        redis.publish(RedisKeys.nodeChannel(target.node()), message).whenComplete((receivers, failure) -> {
            if (failure != null || receivers == 0) { // unreachable, or its node is gone and its peers with it
                String code = failure != null ? "dropped" : "target_not_found";
                if (origin.equals(node)) {
                    listener.undeliverable(fromPeerId, code, msgId);
                } else {
                    undeliverable(origin, fromPeerId, code, msgId);
                }
            }
        });
        observer.messageOut(BusMessage.RELAY);
        return true;
    }

    @Override
    public void undeliverable(String senderNode, String fromPeerId, String code, RawJson msgId) {
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis != null) {
            redis.publish(RedisKeys.nodeChannel(senderNode), BusMessage.undeliverable(node, fromPeerId, code, msgId));
            observer.messageOut(BusMessage.UNDELIVERABLE);
        }
    }

    @Override
    public CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic,
                                                    String subject, Predicate<HandOver> adopt) {
        RedisAsyncCommands<String, String> redis = healthy() ? asyncOrNull() : null;
        if (redis == null) {
            return CompletableFuture.completedFuture(HandOver.Result.EXPIRED);
        }
        String id = com.github.f4b6a3.ulid.UlidCreator.getUlid().toString();
        PendingClaim pending = new PendingClaim(adopt, new CompletableFuture<>());
        claims.put(id, pending);
        try {
            maintenance.schedule(() -> settle(id, HandOver.Result.EXPIRED), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException stopping) {
            settle(id, HandOver.Result.EXPIRED);
            return pending.result();
        }
        redis.publish(RedisKeys.nodeChannel(owner), BusMessage.claim(node, id, topic, token, received, subject))
                .whenComplete((receivers, failure) -> {
                    if (failure != null || receivers == 0) { // its node is gone, and the session with it
                        settle(id, HandOver.Result.EXPIRED);
                    }
                });
        observer.messageOut(BusMessage.CLAIM);
        return pending.result();
    }

    private void settle(String claimId, HandOver.Result result) {
        PendingClaim pending = claims.remove(claimId);
        if (pending != null) {
            pending.result().complete(result);
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mode", "redis");
        info.put("nodeId", node);
        info.put("healthy", healthy());
        info.put("knownNodes", List.copyOf(knownNodes));
        return info;
    }

    /**
     * Leaves the cluster at once: this node's presence goes (its peers have been closed and
     * have left already), and so do its keys, so the others need not wait for its heartbeat to
     * expire.
     */
    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            RedisCommands<String, String> redis = commands != null && commands.isOpen() ? commands.sync() : null;
            if (redis != null) {
                for (String topic : redis.smembers(RedisKeys.nodeTopics(node))) {
                    removeNodeEntries(redis, topic, node);
                }
                redis.del(RedisKeys.alive(node), RedisKeys.nodeTopics(node));
                redis.srem(RedisKeys.NODES, node);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cluster: could not remove this node's presence", e);
        }
        maintenance.shutdownNow();
        claims.keySet().forEach(id -> settle(id, HandOver.Result.EXPIRED));
        for (ExecutorService stripe : stripes) {
            stripe.shutdownNow();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    // ---- inbound: the Pub/Sub thread only parses the route and hands over ----

    private void inbound(String channel, String text) {
        JsonObject message;
        try {
            message = BusMessage.parse(text);
        } catch (RuntimeException e) {
            LOG.warning(() -> "cluster: unreadable message on " + channel);
            return;
        }
        String kind = message.getString("k", "");
        String route = message.getString("topic", message.getString("to", ""));
        try {
            stripes[Math.floorMod(route.hashCode(), stripes.length)].execute(() -> handle(kind, message));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the node is stopping: its peers are gone, nothing is left to deliver to
        }
    }

    private void handle(String kind, JsonObject message) {
        String from = message.getString("node", "");
        boolean topicEvent = BusMessage.JOIN.equals(kind) || BusMessage.LEAVE.equals(kind) || BusMessage.MOVE.equals(kind);
        if (topicEvent && from.equals(node)) {
            return; // our own event, back from the topic channel
        }
        observer.messageIn(kind);
        try {
            switch (kind) {
                case BusMessage.JOIN -> listener.remoteJoined(message.getString("topic"),
                        new RemoteMember(message.getString("peer"), from, message.get("metadata")));
                case BusMessage.LEAVE -> listener.remoteLeft(message.getString("topic"), message.getString("peer"));
                case BusMessage.RELAY -> relay(from, message);
                case BusMessage.UNDELIVERABLE -> listener.undeliverable(message.getString("to"),
                        message.getString("code"), BusMessage.msgId(message));
                case BusMessage.CLAIM -> claimed(from, message);
                case BusMessage.HANDOVER -> handedOver(message);
                case BusMessage.REFUSED -> settle(message.getString("id"),
                        HandOver.Result.valueOf(message.getString("result").toUpperCase(java.util.Locale.ROOT)));
                case BusMessage.MOVE -> {
                    if (!node.equals(message.getString("to"))) { // the claimant installed it already
                        listener.remoteMoved(message.getString("topic"), message.getString("peer"), message.getString("to"));
                    }
                }
                default -> LOG.fine(() -> "cluster: unknown message kind " + kind);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: failed to handle a " + kind + " message", e);
        }
    }

    private void relay(String senderNode, JsonObject message) {
        String topic = message.getString("topic");
        String to = message.getString("to");
        BusListener.RelayOutcome outcome = listener.deliver(topic, to, message.getString("frame"),
                message.getString("from"), BusMessage.msgId(message), senderNode);
        if (outcome == BusListener.RelayOutcome.DELIVERED) {
            return;
        }
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis == null) {
            return;
        }
        String movedTo = outcome == BusListener.RelayOutcome.NOT_FOUND && !message.containsKey("hop")
                ? listener.nodeOf(topic, to) : null;
        if (movedTo != null) { // its session was resumed on another node: send it on, once
            redis.publish(RedisKeys.nodeChannel(movedTo), BusMessage.rerouted(message));
            observer.messageOut(BusMessage.RELAY);
            return;
        }
        redis.publish(RedisKeys.nodeChannel(senderNode), BusMessage.undeliverable(node, message.getString("from"),
                outcome == BusListener.RelayOutcome.DROPPED ? "dropped" : "target_not_found", BusMessage.msgId(message)));
        observer.messageOut(BusMessage.UNDELIVERABLE);
    }

    /** Another node asks for the session of one of our peers: hand it over, or say why not. */
    private void claimed(String claimant, JsonObject message) {
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (redis == null) {
            return; // the claimant gives up after its timeout
        }
        String id = message.getString("id");
        String topic = message.getString("topic");
        long received = message.getJsonNumber("received") == null ? -1 : message.getJsonNumber("received").longValue();
        String subject = message.containsKey("subject") ? message.getString("subject") : null;
        HandOver.Result result = listener.handOver(message.getString("token"), received, topic, subject, claimant, handOver -> {
            // One connection, so Redis sees these in this order, before any relay sent on afterwards.
            redis.hset(RedisKeys.members(topic), handOver.peerId(), BusMessage.member(claimant, handOver.metadata()));
            redis.publish(RedisKeys.nodeChannel(claimant), BusMessage.handOver(node, id, topic, handOver));
            redis.publish(RedisKeys.topicChannel(topic), BusMessage.move(node, topic, handOver.peerId(), claimant));
            observer.messageOut(BusMessage.HANDOVER);
            observer.messageOut(BusMessage.MOVE);
        });
        if (result != HandOver.Result.HANDED_OVER) {
            redis.publish(RedisKeys.nodeChannel(claimant), BusMessage.refused(node, id, topic, result));
            observer.messageOut(BusMessage.REFUSED);
        }
    }

    /**
     * The session we claimed: installed here on this topic's worker, so before any relay that
     * follows it. Nobody waits for it any more (the claim timed out): it ends, everywhere.
     */
    private void handedOver(JsonObject message) {
        String topic = message.getString("topic");
        String peer = message.getString("peer");
        List<String> frames = message.getJsonArray("frames").getValuesAs(jakarta.json.JsonString::getString);
        HandOver handOver = new HandOver(HandOver.Result.HANDED_OVER, peer, message.get("metadata"), frames);
        PendingClaim pending = claims.remove(message.getString("id"));
        boolean adopted = false;
        if (pending != null) {
            try {
                adopted = pending.adopt().test(handOver);
            } finally {
                pending.result().complete(adopted ? HandOver.Result.HANDED_OVER : HandOver.Result.EXPIRED);
            }
        }
        RedisAsyncCommands<String, String> redis = asyncOrNull();
        if (adopted) {
            if (redis != null) {
                redis.sadd(RedisKeys.nodeTopics(node), topic);
            }
            return;
        }
        listener.remoteLeft(topic, peer);
        if (redis != null) {
            redis.hdel(RedisKeys.members(topic), peer);
            redis.publish(RedisKeys.topicChannel(topic), BusMessage.leave(node, topic, peer));
            observer.messageOut(BusMessage.LEAVE);
        }
    }

    // ---- maintenance: one thread, sync commands with a timeout ----

    private void tick() {
        if (stopping) {
            return;
        }
        try {
            if (commands == null || pubsub == null) {
                connect();
            }
            if (!commands.isOpen() || !pubsub.isOpen()) {
                synced = false;
                return; // Lettuce reconnects by itself; the next tick carries on
            }
            RedisCommands<String, String> redis = commands.sync();
            long start = System.nanoTime();
            redis.set(RedisKeys.alive(node), "1", SetArgs.Builder.px(config.nodeTtl().toMillis()));
            observer.redisRoundTrip(System.nanoTime() - start);
            redis.sadd(RedisKeys.NODES, node);
            if (!synced) {
                reconcile(redis);
                synced = true;
                LOG.info(() -> "cluster: node " + node + " registered with Redis");
            }
        } catch (RuntimeException e) {
            synced = false;
            LOG.log(Level.FINE, "cluster: Redis not reachable yet", e);
        }
    }

    private void connect() {
        if (commands == null) {
            commands = client.connect();
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> p = client.connectPubSub();
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    inbound(channel, message);
                }
            });
            p.sync().subscribe(RedisKeys.nodeChannel(node));
            pubsub = p;
        }
    }

    /**
     * After a (re)connect, Redis may have lost our presence (it restarted empty) or removed it
     * (we were away longer than the node TTL): register every local peer again and announce it,
     * drop entries of ours that are stale, and re-read each topic's remote members.
     */
    private void reconcile(RedisCommands<String, String> redis) {
        BusListener l = listener;
        for (String topic : l.localTopics()) {
            pubsub.sync().subscribe(RedisKeys.topicChannel(topic));
            Map<String, JsonValue> local = l.localMembers(topic);
            for (Map.Entry<String, JsonValue> peer : local.entrySet()) {
                redis.hset(RedisKeys.members(topic), peer.getKey(), BusMessage.member(node, peer.getValue()));
                redis.publish(RedisKeys.topicChannel(topic), BusMessage.join(node, topic, peer.getKey(), peer.getValue()));
            }
            redis.sadd(RedisKeys.nodeTopics(node), topic);
            Map<String, String> entries = redis.hgetall(RedisKeys.members(topic));
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                if (node.equals(nodeOf(entry.getValue())) && !local.containsKey(entry.getKey())) {
                    redis.hdel(RedisKeys.members(topic), entry.getKey());
                    redis.publish(RedisKeys.topicChannel(topic), BusMessage.leave(node, topic, entry.getKey()));
                }
            }
            l.resync(topic, remoteMembers(entries));
        }
    }

    private void scanSafely() {
        if (stopping || !healthy()) {
            return;
        }
        try {
            RedisCommands<String, String> redis = commands.sync();
            Set<String> nodes = redis.smembers(RedisKeys.NODES);
            knownNodes = Set.copyOf(nodes);
            for (String other : nodes) {
                if (!other.equals(node) && redis.exists(RedisKeys.alive(other)) == 0) {
                    cleanUpAfter(redis, other);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cluster: dead node scan failed", e);
        }
    }

    /** Removes a dead node's peers (and tells everyone), if no other node is doing it. */
    private void cleanUpAfter(RedisCommands<String, String> redis, String dead) {
        if (!"OK".equals(redis.set(RedisKeys.cleaning(dead), node, SetArgs.Builder.nx().px(30_000)))) {
            return;
        }
        int removed = 0;
        for (String topic : redis.smembers(RedisKeys.nodeTopics(dead))) {
            removed += removeNodeEntries(redis, topic, dead);
        }
        redis.del(RedisKeys.nodeTopics(dead));
        redis.srem(RedisKeys.NODES, dead);
        observer.deadNodeCleaned();
        int n = removed;
        LOG.info(() -> "cluster: node " + dead + " is dead; removed its " + n + " peers");
    }

    private int removeNodeEntries(RedisCommands<String, String> redis, String topic, String owner) {
        int removed = 0;
        for (Map.Entry<String, String> entry : redis.hgetall(RedisKeys.members(topic)).entrySet()) {
            if (owner.equals(nodeOf(entry.getValue())) && redis.hdel(RedisKeys.members(topic), entry.getKey()) == 1) {
                redis.publish(RedisKeys.topicChannel(topic), BusMessage.leave(owner, topic, entry.getKey()));
                removed++;
            }
        }
        return removed;
    }

    private Map<String, RemoteMember> remoteMembers(Map<String, String> entries) {
        Map<String, RemoteMember> members = new HashMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            try {
                JsonObject value = BusMessage.parse(entry.getValue());
                String owner = value.getString("node");
                if (!owner.equals(node)) {
                    members.put(entry.getKey(), new RemoteMember(entry.getKey(), owner, value.get("metadata")));
                }
            } catch (RuntimeException e) {
                LOG.fine(() -> "cluster: unreadable member entry " + entry.getKey());
            }
        }
        return members;
    }

    private static String nodeOf(String memberValue) {
        try {
            return BusMessage.parse(memberValue).getString("node");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private RedisAsyncCommands<String, String> asyncOrNull() {
        StatefulRedisConnection<String, String> c = commands;
        return c != null && c.isOpen() ? c.async() : null;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
