package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterConfig;
import org.lanscape.signaling.cluster.ClusterObserver;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's life in the cluster, on one maintenance thread: a heartbeat key with a TTL renewed
 * every third of it, the node's registration (its peers in Redis, the remote views read), and the
 * reaper that removes the peers of nodes whose heartbeat expired (and the parked sessions nobody
 * resumed within their grace period). A node found missing from the
 * node set (it was taken for dead during a long pause, or Redis lost its data) registers again.
 */
final class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final ClusterConfig config;
    private final RedisConnection redis;
    private final Presence presence;
    private final ParkedSessions parked;
    private final ClusterObserver observer;
    private final String node;
    private volatile BusListener listener;
    /** Presence registered and remote views read since the last (re)connect. */
    private volatile boolean synced;
    private volatile boolean failing;
    private volatile Set<String> knownNodes = Set.of();

    Heartbeat(ClusterConfig config, RedisConnection redis, Presence presence, ParkedSessions parked,
              ClusterObserver observer) {
        this.config = config;
        this.redis = redis;
        this.presence = presence;
        this.parked = parked;
        this.observer = observer;
        this.node = config.nodeId();
    }

    void start(ScheduledExecutorService maintenance, BusListener listener, Runnable connect) {
        this.listener = listener;
        long beat = Math.max(100, config.nodeTtl().toMillis() / 3);
        maintenance.scheduleWithFixedDelay(() -> beat(connect), 0, beat, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::scan, config.scanInterval().toMillis(),
                config.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean synced() {
        return synced;
    }

    /** Redis must be told everything again (a reconnect, a failed read): at the next beat. */
    void unsync() {
        synced = false;
    }

    List<String> knownNodes() {
        return List.copyOf(knownNodes);
    }

    /** One heartbeat: renews the key; registers again when Redis lost the node or the node was reaped. */
    void beat(Runnable connect) {
        try {
            connect.run();
            if (!redis.isOpen()) {
                synced = false;
                return; // Lettuce reconnects by itself; the next beat carries on
            }
            RedisClusterCommands<String, String> sync = redis.sync();
            long start = System.nanoTime();
            sync.set(RedisKeys.alive(node), "1", SetArgs.Builder.px(config.nodeTtl().toMillis()));
            observer.redisRoundTrip(System.nanoTime() - start);
            if (sync.sadd(RedisKeys.NODES, node) == 1 && synced) {
                LOG.warning(() -> "cluster: node " + node + " was taken for dead (a pause past the node TTL?); registering again");
                synced = false;
            }
            if (!synced) {
                redis.subscribeNow(redis.nodeChannel(node)); // a no-op unless a Redis Cluster's slot moved
                presence.reconcile(sync, listener);
                synced = true;
                LOG.info(() -> "cluster: node " + node + " registered with Redis");
            }
            recovered();
        } catch (RuntimeException e) {
            synced = false;
            failed("heartbeat", e);
        }
    }

    /** Looks for nodes whose heartbeat expired and removes their peers, and for parked sessions nobody resumed in time. */
    void scan() {
        if (!synced || !redis.isOpen()) {
            return;
        }
        try {
            RedisClusterCommands<String, String> sync = redis.sync();
            Set<String> nodes = sync.smembers(RedisKeys.NODES);
            knownNodes = Set.copyOf(nodes);
            for (String other : nodes) {
                if (!other.equals(node) && sync.exists(RedisKeys.alive(other)) == 0) {
                    cleanUpAfter(sync, other);
                }
            }
            int expired = parked.expire(sync);
            if (expired > 0) {
                LOG.fine(() -> "cluster: " + expired + " parked sessions were not resumed in time; they left");
            }
        } catch (RuntimeException e) {
            failed("dead node scan", e);
        }
    }

    /** Removes a dead node's peers (and tells everyone), if no other node is doing it. */
    private void cleanUpAfter(RedisClusterCommands<String, String> sync, String dead) {
        if (!"OK".equals(sync.set(RedisKeys.cleaning(dead), node, SetArgs.Builder.nx().px(30_000)))) {
            return;
        }
        int removed = 0;
        for (String topic : sync.smembers(RedisKeys.nodeTopics(dead))) {
            removed += presence.removeNodeEntries(sync, topic, dead);
        }
        sync.del(RedisKeys.nodeTopics(dead));
        sync.srem(RedisKeys.NODES, dead);
        observer.deadNodeCleaned();
        int n = removed;
        LOG.info(() -> "cluster: node " + dead + " is dead; removed its " + n + " peers");
    }

    /** This node leaves the cluster: its presence and keys go at once, so the others need not wait for its TTL. */
    void leave() {
        try {
            if (redis.isOpen()) {
                RedisClusterCommands<String, String> sync = redis.sync();
                for (String topic : sync.smembers(RedisKeys.nodeTopics(node))) {
                    presence.removeNodeEntries(sync, topic, node);
                }
                sync.del(RedisKeys.alive(node), RedisKeys.nodeTopics(node));
                sync.srem(RedisKeys.NODES, node);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: could not remove this node's presence; the others remove it after its TTL", e);
        }
    }

    /** A failing Redis is logged once (WARNING) until it works again. */
    private void failed(String what, RuntimeException e) {
        if (!failing) {
            failing = true;
            LOG.log(Level.WARNING, "cluster: " + what + " failed: Redis not reachable (" + e + "); retrying", e);
        } else {
            LOG.log(Level.FINE, "cluster: " + what + " failed again", e);
        }
    }

    private void recovered() {
        if (failing) {
            failing = false;
            LOG.info("cluster: Redis answers again");
        }
    }
}
