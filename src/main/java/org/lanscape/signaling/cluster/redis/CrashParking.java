package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ParkedSession;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Parks the resumable sessions of a node found dead, from the records it kept ({@link Standby}), as {@link ParkedSessions} keeps them. */
final class CrashParking {

    private static final String PARKED = ParkedSession.NODE;

    private final RedisConnection redis;
    private final String node;
    private final Duration timeout;
    private volatile BusListener listener;

    CrashParking(RedisConnection redis, String node, Duration timeout) {
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
    }

    void start(BusListener listener) {
        this.listener = listener;
    }

    /**
     * The sessions of a node that died without a hand-over, from the records it kept in Redis
     * ({@link Standby}: token hash to record): parked for their grace period as a stopping node
     * would have parked them, but with nothing held for them and nothing known of what their
     * clients sent lately; pipelined (a round trip per step, not per session). A session whose peer
     * is no longer the dead node's (it left, or moved) is skipped. Returns how many were parked.
     */
    int park(String dead, Map<String, String> records) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            throw new IllegalStateException("Redis is not connected");
        }
        Map<String, JsonObject> standby = new HashMap<>();
        Map<String, RedisFuture<String>> members = new HashMap<>();
        records.forEach((hash, text) -> {
            JsonObject record = BusMessage.parse(text);
            standby.put(hash, record);
            members.put(hash, async.hget(RedisKeys.members(record.getString("topic")), record.getString("peer")));
        });
        List<String> parkable = new ArrayList<>();
        members.forEach((hash, member) -> {
            String value = await(member);
            if (value != null && dead.equals(Presence.nodeOf(value))) {
                parkable.add(hash);
            }
        });
        List<RedisFuture<?>> written = new ArrayList<>();
        for (String hash : parkable) {
            JsonObject record = standby.get(hash);
            String topic = record.getString("topic");
            String peer = record.getString("peer");
            JsonObjectBuilder parked = org.lanscape.signaling.cluster.HeldRelay.write(
                    Json.createObjectBuilder().add("peer", peer), List.of()); // no "got": what its client sent last is unknown
            if (record.containsKey("metadata")) {
                parked.add("metadata", record.get("metadata"));
            }
            if (record.containsKey("subject")) {
                parked.add("subject", record.getString("subject"));
            }
            long ttl = record.getJsonNumber("grace").longValue();
            written.add(async.set(RedisKeys.parked(topic, hash), parked.build().toString(), SetArgs.Builder.px(ttl)));
            written.add(async.hset(RedisKeys.members(topic), peer, BusMessage.member(PARKED, record.get("metadata"))));
            written.add(redis.publish(async, redis.topicChannel(topic), BusMessage.move(node, topic, peer, PARKED)));
            listener.remoteMoved(topic, peer, PARKED); // our own MOVE does not come back to us
        }
        written.forEach(this::await);
        long now = System.currentTimeMillis();
        List<RedisFuture<?>> deadlines = new ArrayList<>();
        for (String hash : parkable) { // last: only now can a resume take it, so its MOVE comes after ours everywhere
            JsonObject record = standby.get(hash);
            deadlines.add(async.zadd(RedisKeys.PARKED, now + record.getJsonNumber("grace").longValue(),
                    ParkedSessions.entry(record.getString("topic"), record.getString("peer"))));
        }
        deadlines.forEach(this::await);
        return parkable.size();
    }

    private <T> T await(RedisFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cluster: parking a dead node's sessions failed: " + e, e);
        }
    }
}
