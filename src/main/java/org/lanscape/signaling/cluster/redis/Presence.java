package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
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

    Presence(RedisConnection redis, String node, Duration timeout, ClusterObserver observer) {
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
        this.observer = observer;
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

    /**
     * After a (re)connect, Redis may have lost our presence (it restarted empty) or removed it (we
     * were taken for dead): register every local peer again and announce it, drop entries of ours
     * that are stale, and re-read each topic's remote members.
     */
    void reconcile(RedisClusterCommands<String, String> sync, BusListener listener) {
        for (String topic : listener.localTopics()) {
            redis.subscribeNow(redis.topicChannel(topic));
            Map<String, JsonValue> local = listener.localMembers(topic);
            for (Map.Entry<String, JsonValue> peer : local.entrySet()) {
                sync.hset(RedisKeys.members(topic), peer.getKey(), BusMessage.member(node, peer.getValue()));
                redis.publish(sync, redis.topicChannel(topic), BusMessage.join(node, topic, peer.getKey(), peer.getValue()));
            }
            sync.sadd(RedisKeys.nodeTopics(node), topic);
            Map<String, String> entries = sync.hgetall(RedisKeys.members(topic));
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                if (node.equals(nodeOf(entry.getValue())) && !local.containsKey(entry.getKey())) {
                    sync.hdel(RedisKeys.members(topic), entry.getKey());
                    redis.publish(sync, redis.topicChannel(topic), BusMessage.leave(node, topic, entry.getKey()));
                }
            }
            listener.resync(topic, remoteMembers(entries));
        }
    }

    /** Removes the entries of {@code owner} from the topic and announces their leaves; returns how many. */
    int removeNodeEntries(RedisClusterCommands<String, String> sync, String topic, String owner) {
        int removed = 0;
        for (Map.Entry<String, String> entry : sync.hgetall(RedisKeys.members(topic)).entrySet()) {
            if (owner.equals(nodeOf(entry.getValue())) && sync.hdel(RedisKeys.members(topic), entry.getKey()) == 1) {
                redis.publish(sync, redis.topicChannel(topic), BusMessage.leave(owner, topic, entry.getKey()));
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
}
