package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.RemoteMember;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who is in which topic, in Redis: each topic's members in a hash (each entry naming its node),
 * each node's topics in a set (for cleaning up after it), and the join and leave events on the
 * topic's channel, which a node listens to while it has local peers in the topic.
 */
final class Presence {

    private static final Logger LOG = Logger.getLogger(Presence.class.getName());

    private final RedisConnection redis;
    private final String node;
    private final Duration timeout;
    private final ClusterObserver observer;
    private final Places places;
    private final Standby standby;

    Presence(RedisConnection redis, String node, Duration timeout, ClusterObserver observer, Places places,
             Standby standby) {
        this.standby = standby;
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
        this.observer = observer;
        this.places = places;
    }

    /**
     * This node's first local peer of a topic: listen to its events, then read its members on
     * other nodes (so that an event is either in the read or arrives after it). Null when Redis
     * did not answer in time.
     */
    Map<String, RemoteMember> open(String topic) {
        try {
            redis.subscribe(redis.topicChannel(topic));
            long start = System.nanoTime();
            Map<String, String> entries = redis.async().hgetall(RedisKeys.members(topic))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            observer.redisRoundTrip(System.nanoTime() - start);
            return remoteMembers(entries);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.WARNING, "cluster: could not read the members of topic=" + topic
                    + "; local view only until Redis answers", e);
            return null;
        }
    }

    /** The node's last local peer of the topic left: no more events for it, and it is not ours to clean up. */
    void close(String topic) {
        redis.unsubscribe(redis.topicChannel(topic));
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async != null) {
            async.srem(RedisKeys.nodeTopics(node), topic);
        }
    }

    /** A local peer joined: presence first, then the event (a node that reads after subscribing sees either). */
    void joined(String topic, String peerId, JsonValue metadata) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return; // reconcile() registers it when Redis is back
        }
        async.hset(RedisKeys.members(topic), peerId, BusMessage.member(node, metadata));
        async.sadd(RedisKeys.nodeTopics(node), topic);
        redis.publish(async, redis.topicChannel(topic), BusMessage.join(node, topic, peerId, metadata));
        observer.messageOut(BusMessage.JOIN);
    }

    void left(String topic, String peerId) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return;
        }
        async.hdel(RedisKeys.members(topic), peerId);
        redis.publish(async, redis.topicChannel(topic), BusMessage.leave(node, topic, peerId));
        observer.messageOut(BusMessage.LEAVE);
    }

    /** Removes a dead node's peers (and tells everyone), if no other node is doing it. */
    void cleanUpAfter(RedisClusterCommands<String, String> sync, String dead) {
        if (!"OK".equals(sync.set(RedisKeys.cleaning(dead), node, io.lettuce.core.SetArgs.Builder.nx().px(30_000)))) {
            return;
        }
        if (sync.exists(RedisKeys.alive(dead)) == 1) { // it beat meanwhile: slow is not dead
            sync.del(RedisKeys.cleaning(dead));
            return;
        }
        int parked = standby.parkAll(sync, dead); // its resumable sessions wait for their clients, first
        int removed = removeAll(sync, dead);
        sync.del(RedisKeys.nodeTopics(dead), RedisKeys.registered(dead));
        sync.srem(RedisKeys.NODES, dead);
        observer.deadNodeCleaned();
        LOG.info(() -> "cluster: node " + dead + " is dead; parked its " + parked + " resumable sessions, removed its "
                + removed + " other peers");
    }

    /**
     * Removes the entries of {@code owner} from every topic it has (one HDEL per topic) and publishes
     * their leaves, pipelined, and its connections from their subjects' counts; returns how many peers.
     */
    int removeAll(RedisClusterCommands<String, String> sync, String owner) {
        places.removeAll(sync, owner);
        sync.del(RedisKeys.standby(owner));
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            throw new IllegalStateException("Redis is not connected");
        }
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> topics = new java.util.ArrayList<>();
        for (String topic : sync.smembers(RedisKeys.nodeTopics(owner))) {
            topics.add(async.hgetall(RedisKeys.members(topic)).toCompletableFuture().thenApply(entries -> {
                java.util.List<String> ids = new java.util.ArrayList<>();
                entries.forEach((id, value) -> {
                    if (owner.equals(nodeOf(value))) {
                        ids.add(id);
                    }
                });
                if (!ids.isEmpty()) {
                    async.hdel(RedisKeys.members(topic), ids.toArray(String[]::new));
                    ids.forEach(id -> redis.publish(async, redis.topicChannel(topic), BusMessage.leave(owner, topic, id)));
                }
                return ids.size();
            }));
        }
        int removed = 0;
        for (java.util.concurrent.CompletableFuture<Integer> topic : topics) {
            try {
                removed += topic.get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("could not remove the entries of node " + owner, e);
            }
        }
        return removed;
    }

    private Map<String, RemoteMember> remoteMembers(Map<String, String> entries) {
        return remoteMembers(node, entries);
    }

    /** The entries of a topic's members hash that name another node than {@code self}. */
    static Map<String, RemoteMember> remoteMembers(String self, Map<String, String> entries) {
        Map<String, RemoteMember> members = new HashMap<>();
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            try {
                JsonObject value = BusMessage.parse(entry.getValue());
                String owner = value.getString("node");
                if (!owner.equals(self)) {
                    members.put(entry.getKey(), new RemoteMember(entry.getKey(), owner, value.get("metadata")));
                }
            } catch (RuntimeException e) {
                LOG.fine(() -> "cluster: unreadable member entry " + entry.getKey());
            }
        }
        return members;
    }

    static String nodeOf(String memberValue) {
        try {
            return BusMessage.parse(memberValue).getString("node");
        } catch (RuntimeException e) {
            return "";
        }
    }
}
