package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * After a (re)connect, or when Redis lost its data: this node's peers registered again and its
 * views of the other nodes' peers read again, a topic at a time and a batch of topics at once,
 * every command pipelined (round trips per batch, not per peer). For each topic: subscribe; while
 * its local membership cannot change, write all its local members in one HSET and publish a
 * {@code sync} naming them (the other nodes set this node's members in that topic to exactly those,
 * announcing only real changes); then, on the topic's worker and in order with its live events,
 * read its members and resync the view: entries of this node that are no longer local go (they
 * left while Redis was away), and another node's members that Redis lacks leave only if that node
 * has registered since Redis last lost data. Topics Redis still lists for this node without a
 * local peer are cleaned up too. Last, this node's {@code registered} marker says its entries are
 * whole again.
 */
final class Reconcile {

    /** Topics whose commands are in flight at once. */
    private static final int BATCH = 256;

    private final RedisConnection redis;
    private final String node;
    private final Duration timeout;
    private final ClusterObserver observer;
    private final InboundDispatch inbound;
    private final Places places;
    private final Standby standby;
    /** Topics whose view must be read again: opened while Redis was away, or not yet done this round. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private volatile BusListener listener;

    Reconcile(RedisConnection redis, String node, Duration timeout, ClusterObserver observer, InboundDispatch inbound,
              Places places, Standby standby) {
        this.places = places;
        this.standby = standby;
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
        this.observer = observer;
        this.inbound = inbound;
    }

    void start(BusListener listener) {
        this.listener = listener;
    }

    /** The topic's view waits for a resync (its remote members may be missing). */
    void markDirty(String topic) {
        dirty.add(topic);
    }

    /** As {@link #markDirty}, for a topic this node still has peers in (a resync would subscribe again to one it closed). */
    void markDirtyIfOpen(String topic) {
        if (!listener.localMembers(topic).isEmpty()) {
            dirty.add(topic);
        }
    }

    boolean pending(String topic) {
        return dirty.contains(topic);
    }

    boolean hasPending() {
        return !dirty.isEmpty();
    }

    /** Everything again (see the class comment); throws if Redis failed meanwhile: the next beat tries again. */
    void all(RedisClusterCommands<String, String> sync) {
        long start = System.nanoTime();
        Set<String> listed = sync.smembers(RedisKeys.nodeTopics(node));
        listener.localTopics().forEach(dirty::add);
        int written = drain(sync);
        List<CompletableFuture<Void>> abandoned = new ArrayList<>();
        for (String topic : listed) {
            if (listener.localMembers(topic).isEmpty()) {
                abandoned.add(abandon(topic));
            }
        }
        await(abandoned);
        places.registerAll(sync);
        standby.registerAll(sync);
        sync.set(RedisKeys.registered(node), String.valueOf(System.currentTimeMillis()));
        observer.resynced(System.nanoTime() - start, written);
    }

    /** The dirty topics, a batch at a time; returns the entries written. */
    int drain(RedisClusterCommands<String, String> sync) {
        Set<String> settled = settledNodes(sync);
        AtomicInteger written = new AtomicInteger();
        while (!dirty.isEmpty()) {
            List<String> batch = new ArrayList<>(BATCH);
            for (Iterator<String> it = dirty.iterator(); it.hasNext() && batch.size() < BATCH; ) {
                String topic = it.next();
                if (dirty.remove(topic)) { // marked again meanwhile: it comes round again
                    batch.add(topic);
                }
            }
            List<CompletableFuture<Void>> done = new ArrayList<>(batch.size());
            try {
                for (String topic : batch) {
                    done.add(topic(topic, settled, written));
                }
                await(done);
            } catch (RuntimeException e) {
                dirty.addAll(batch); // the next beat tries them again
                throw e;
            }
        }
        return written.get();
    }

    /** The nodes whose entries in Redis are whole: registered since Redis last lost data. */
    private Set<String> settledNodes(RedisClusterCommands<String, String> sync) {
        Set<String> nodes = new LinkedHashSet<>(sync.smembers(RedisKeys.NODES));
        RedisClusterAsyncCommands<String, String> async = asyncOrFail();
        Map<String, RedisFuture<Long>> markers = new HashMap<>();
        for (String other : nodes) {
            markers.put(other, async.exists(RedisKeys.registered(other)));
        }
        Set<String> settled = ConcurrentHashMap.newKeySet();
        for (Map.Entry<String, RedisFuture<Long>> marker : markers.entrySet()) {
            if (get(marker.getValue()) == 1) {
                settled.add(marker.getKey());
            }
        }
        return settled;
    }

    private CompletableFuture<Void> topic(String topic, Set<String> settled, AtomicInteger written) {
        RedisClusterAsyncCommands<String, String> async = asyncOrFail();
        String channel = redis.topicChannel(topic);
        CompletableFuture<Void> subscribed = redis.subscribeAsync(channel);
        listener.withLocalMembers(topic, local -> {
            if (!local.isEmpty()) {
                Map<String, String> entries = new HashMap<>(local.size() * 2);
                local.forEach((id, metadata) -> entries.put(id, BusMessage.member(node, metadata)));
                async.hset(RedisKeys.members(topic), entries);
                async.sadd(RedisKeys.nodeTopics(node), topic);
                written.addAndGet(local.size());
            }
            redis.publish(async, channel, BusMessage.sync(node, topic, local));
            observer.messageOut(BusMessage.SYNC);
        });
        CompletableFuture<Void> resynced = new CompletableFuture<>();
        // read once subscribed: an event published after the read is then heard, one before it is in it
        subscribed.whenComplete((ok, notSubscribed) -> {
            if (notSubscribed != null) {
                resynced.completeExceptionally(notSubscribed);
                return;
            }
            inbound.onStripe(topic, () -> read(async, topic, settled, resynced));
        });
        return resynced;
    }

    private void read(RedisClusterAsyncCommands<String, String> async, String topic, Set<String> settled,
                      CompletableFuture<Void> resynced) {
        listener.resyncAsked(topic);
        async.hgetall(RedisKeys.members(topic)).whenComplete((entries, failure) -> {
            if (failure != null) {
                resynced.completeExceptionally(failure);
                return;
            }
            inbound.onStripe(topic, () -> {
                try {
                    removeLeft(async, topic, entries);
                    listener.resync(topic, Presence.remoteMembers(node, entries), settled::contains);
                    resynced.complete(null);
                } catch (RuntimeException e) {
                    resynced.completeExceptionally(e);
                }
            });
        });
    }

    /** Entries of this node for peers no longer local (they left while Redis was away): they go, and their leaves. */
    private void removeLeft(RedisClusterAsyncCommands<String, String> async, String topic, Map<String, String> entries) {
        Map<String, JsonValue> local = listener.localMembers(topic);
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            if (node.equals(Presence.nodeOf(entry.getValue())) && !local.containsKey(entry.getKey())
                    && !places.joining(topic, entry.getKey())) { // a join's claim is made, its join not yet
                gone.add(entry.getKey());
            }
        }
        if (!gone.isEmpty()) {
            async.hdel(RedisKeys.members(topic), gone.toArray(String[]::new));
            for (String peer : gone) {
                redis.publish(async, redis.topicChannel(topic), BusMessage.leave(node, topic, peer));
            }
        }
    }

    /** A topic Redis lists for this node with no local peer left: its entries of this node go, and it leaves the list. */
    private CompletableFuture<Void> abandon(String topic) {
        RedisClusterAsyncCommands<String, String> async = asyncOrFail();
        return async.hgetall(RedisKeys.members(topic)).toCompletableFuture().thenAccept(entries -> {
            removeLeft(async, topic, entries);
            if (listener.localMembers(topic).isEmpty()) {
                async.srem(RedisKeys.nodeTopics(node), topic);
            }
        });
    }

    private RedisClusterAsyncCommands<String, String> asyncOrFail() {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            throw new IllegalStateException("Redis is not connected");
        }
        return async;
    }

    private <T> T get(RedisFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    private void await(List<CompletableFuture<Void>> futures) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure(e);
        }
    }

    private static RuntimeException failure(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException("cluster resync did not complete: " + e, e);
    }
}
