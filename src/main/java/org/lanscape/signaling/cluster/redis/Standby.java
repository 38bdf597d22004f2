package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a node's resumable sessions need to come back if the node dies without a hand-over: one
 * record per session in the node's hash {@code sig:{n:node}:standby}, under the hash of its
 * current token (topic, peer id, metadata, subject, grace period), written when a token is issued
 * and removed when it is used or the session ends: no Redis write per relay. The node that cleans
 * up after a dead one parks these sessions ({@link CrashParking}) instead of
 * removing their peers; until then a resume of one is told to come back shortly, not refused.
 */
final class Standby {

    private record Entry(String tokenHash, String record) {
    }

    private final RedisConnection redis;
    private final String node;
    private final CrashParking parking;
    /** This node's records by peer: each change sent in order for its peer, and all written again after a reconnect. */
    private final Map<String, Entry> held = new ConcurrentHashMap<>();

    Standby(RedisConnection redis, String node, CrashParking parking) {
        this.redis = redis;
        this.node = node;
        this.parking = parking;
    }

    void hold(String topic, String peerId, String token, JsonValue metadata, String subject, Duration grace) {
        JsonObjectBuilder record = Json.createObjectBuilder().add("topic", topic).add("peer", peerId)
                .add("grace", grace.toMillis());
        if (metadata != null) {
            record.add("metadata", metadata);
        }
        if (subject != null) {
            record.add("subject", subject);
        }
        Entry entry = new Entry(TokenHash.of(token), record.build().toString());
        held.compute(peerId, (p, old) -> {
            RedisClusterAsyncCommands<String, String> async = redis.async();
            if (async != null) {
                if (old != null) {
                    async.hdel(RedisKeys.standby(node), old.tokenHash());
                }
                async.hset(RedisKeys.standby(node), entry.tokenHash(), entry.record());
            }
            return entry;
        });
    }

    /** The token was used, or its session ended here. */
    void release(String peerId, String token) {
        String hash = TokenHash.of(token);
        held.computeIfPresent(peerId, (p, current) -> {
            if (!current.tokenHash().equals(hash)) {
                return current;
            }
            RedisClusterAsyncCommands<String, String> async = redis.async();
            if (async != null) {
                async.hdel(RedisKeys.standby(node), hash);
            }
            return null;
        });
    }

    /** Whether {@code owner} (not answering) had a live session for this token when it was last heard of. */
    java.util.concurrent.CompletionStage<Boolean> holds(RedisClusterAsyncCommands<String, String> async, String owner,
                                                        String token) {
        return async.hexists(RedisKeys.standby(owner), TokenHash.of(token));
    }

    /**
     * After a (re)connect: this node's records again, in case Redis lost them or missed a change,
     * and the records of sessions that ended meanwhile removed.
     */
    void registerAll(RedisClusterCommands<String, String> sync) {
        Map<String, String> stored = sync.hgetall(RedisKeys.standby(node));
        java.util.Set<String> current = new java.util.HashSet<>(); // taken after the read: a record written since is in it
        held.values().forEach(entry -> current.add(entry.tokenHash()));
        String[] stale = stored.keySet().stream().filter(hash -> !current.contains(hash)).toArray(String[]::new);
        if (stale.length > 0) {
            sync.hdel(RedisKeys.standby(node), stale);
        }
        for (String peer : held.keySet()) {
            held.computeIfPresent(peer, (p, entry) -> {
                RedisClusterAsyncCommands<String, String> async = redis.async();
                if (async != null) {
                    async.hset(RedisKeys.standby(node), entry.tokenHash(), entry.record());
                }
                return entry;
            });
        }
    }

    /** A dead node's resumable sessions are parked for their grace period; returns how many. */
    int parkAll(RedisClusterCommands<String, String> sync, String dead) {
        Map<String, String> records = sync.hgetall(RedisKeys.standby(dead));
        int parkedNow = records.isEmpty() ? 0 : parking.park(dead, records);
        sync.del(RedisKeys.standby(dead));
        return parkedNow;
    }
}
