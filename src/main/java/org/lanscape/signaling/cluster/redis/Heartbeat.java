package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterConfig;
import org.lanscape.signaling.cluster.ClusterObserver;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's life in the cluster. Its heartbeat key, a TTL renewed every third of it, is written
 * by a timer of its own that nothing else runs on: however long a resync takes, a node that lives
 * is never taken for dead. On the maintenance thread: the node's registration (after a (re)connect,
 * or when it finds itself missing from the node set, a full {@link Reconcile}; otherwise the topics
 * still waiting for theirs), and the scan for dead nodes, whose peers leave: in Redis, by whichever
 * node takes the cleaning lock, and in this node's views, once a node it knew has had no heartbeat
 * for a TTL (so that its peers go even when Redis lost their entries with its data).
 */
final class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final ClusterConfig config;
    private final RedisConnection redis;
    private final Presence presence;
    private final Reconcile reconcile;
    private final ParkedSessions parked;
    private final ClusterObserver observer;
    private final String node;
    private volatile BusListener listener;
    /** Presence registered and remote views read since the last (re)connect. */
    private volatile boolean synced;
    private volatile boolean failing;
    private volatile Set<String> knownNodes = Set.of();
    /** Other nodes this one has seen, and since when each has had no heartbeat (0: it has one). */
    private final Map<String, Long> missingSince = new HashMap<>();

    Heartbeat(ClusterConfig config, RedisConnection redis, Presence presence, Reconcile reconcile, ParkedSessions parked,
              ClusterObserver observer) {
        this.config = config;
        this.redis = redis;
        this.presence = presence;
        this.reconcile = reconcile;
        this.parked = parked;
        this.observer = observer;
        this.node = config.nodeId();
    }

    void start(ScheduledExecutorService maintenance, ScheduledExecutorService pulse, BusListener listener, Runnable connect) {
        this.listener = listener;
        long beat = Math.max(100, config.nodeTtl().toMillis() / 3);
        pulse.scheduleWithFixedDelay(this::renew, 0, beat, TimeUnit.MILLISECONDS);
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

    /** The heartbeat key, on its own timer: a write that needs no answer before the next. */
    void renew() {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return; // Lettuce reconnects by itself
        }
        long start = System.nanoTime();
        async.set(RedisKeys.alive(node), "1", SetArgs.Builder.px(config.nodeTtl().toMillis()))
                .thenRun(() -> observer.redisRoundTrip(System.nanoTime() - start));
    }

    /** One maintenance beat: registers again when Redis lost the node or the node was reaped. */
    void beat(Runnable connect) {
        try {
            connect.run();
            if (!redis.isOpen()) {
                synced = false;
                return; // Lettuce reconnects by itself; the next beat carries on
            }
            RedisClusterCommands<String, String> sync = redis.sync();
            if (sync.sadd(RedisKeys.NODES, node) == 1 && synced) {
                LOG.warning(() -> "cluster: node " + node + " was missing from the node set (Redis lost its data, or"
                        + " it was taken for dead); registering again");
                synced = false;
            }
            if (!synced) {
                redis.subscribeNow(redis.nodeChannel(node)); // a no-op unless a Redis Cluster's slot moved
                renew();
                reconcile.all(sync);
                synced = true;
                LOG.info(() -> "cluster: node " + node + " registered with Redis");
            } else if (reconcile.hasPending()) {
                reconcile.drain(sync);
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
                missingSince.putIfAbsent(other, 0L);
            }
            long now = System.nanoTime();
            for (Map.Entry<String, Long> other : List.copyOf(missingSince.entrySet())) {
                String name = other.getKey();
                if (name.equals(node)) {
                    continue;
                }
                if (sync.exists(RedisKeys.alive(name)) == 1) {
                    missingSince.put(name, 0L);
                    continue;
                }
                if (nodes.contains(name)) {
                    presence.cleanUpAfter(sync, name);
                }
                long since = other.getValue() == 0 ? now : other.getValue();
                missingSince.put(name, since);
                if (now - since >= config.nodeTtl().toNanos()) { // a TTL without a heartbeat: it is gone
                    missingSince.remove(name);
                    listener.nodeGone(name);
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

    /** This node leaves the cluster: its presence and keys go at once, so the others need not wait for its TTL. */
    void leave() {
        try {
            if (redis.isOpen()) {
                RedisClusterCommands<String, String> sync = redis.sync();
                presence.removeAll(sync, node);
                sync.del(RedisKeys.alive(node), RedisKeys.nodeTopics(node));
                sync.del(RedisKeys.registered(node));
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
