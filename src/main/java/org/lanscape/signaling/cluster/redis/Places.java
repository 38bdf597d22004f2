package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.lanscape.signaling.cluster.Claim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Limits that hold across the cluster, each a hash in Redis whose entries are the places taken,
 * claimed by a script that counts and adds in one step: a topic's members (a join's entry is its
 * place) and a token subject's connections ({@code sig:{u:subject}:conns}, connection id to node).
 * A node's places go with it: its members with its presence, its connections through the set of
 * subjects it holds connections of, when it leaves or when another node cleans up after its death.
 * When Redis does not answer in time the claim is {@link Claim#UNCHECKED}: the node's own count decides.
 */
final class Places {

    private static final Logger LOG = Logger.getLogger(Places.class.getName());
    /** KEYS[1]: the hash; ARGV: the place, its value, the most places. */
    private static final String CLAIM = "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1"
            + " or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[3]) then"
            + " redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0";

    private final RedisConnection redis;
    private final String node;
    private final Duration timeout;
    /** This node's connections by subject, once their claims answered: written again after Redis lost its data. */
    private final Map<String, Set<String>> connections = new ConcurrentHashMap<>();
    /** "topic\npeer" of the joins whose claim is made and whose join is not settled yet. */
    private final Set<String> joining = ConcurrentHashMap.newKeySet();
    /** Connection ids whose claim is under way. */
    private final Set<String> claiming = ConcurrentHashMap.newKeySet();

    Places(RedisConnection redis, String node, Duration timeout) {
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
    }

    /**
     * A joining peer's entry, written by the claim; until its join is settled ({@link #joinSettled})
     * a resync takes it for a local member (it is not one yet, and must not be removed as gone).
     */
    Claim claimMember(String topic, String peerId, String entry, int max) {
        joining.add(topic + "\n" + peerId);
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async != null) {
            async.sadd(RedisKeys.nodeTopics(node), topic); // before the entry: a cleanup after this node finds it
        }
        return claim(RedisKeys.members(topic), peerId, entry, max);
    }

    void joinSettled(String topic, String peerId) {
        joining.remove(topic + "\n" + peerId);
    }

    boolean joining(String topic, String peerId) {
        return joining.contains(topic + "\n" + peerId);
    }

    /** {@code counted}: whether the claim is to be made in Redis, or (Redis away) only recorded for the next resync. */
    Claim claimConnection(String subject, String connectionId, int max, boolean counted) {
        connections.compute(subject, (s, ids) -> { // the set's SADD and SREM in the order of the changes
            RedisClusterAsyncCommands<String, String> async = redis.async();
            if (async != null) {
                async.sadd(RedisKeys.nodeSubjects(node), subject);
            }
            return ids;
        });
        claiming.add(connectionId); // a resync meanwhile neither removes its entry nor writes it
        try {
            Claim claim = counted ? claim(RedisKeys.connections(subject), connectionId, node, max) : Claim.UNCHECKED;
            if (claim != Claim.REFUSED) { // held from now on: a resync writes it again, never removes it
                connections.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(connectionId);
            }
            return claim;
        } finally {
            claiming.remove(connectionId);
        }
    }

    void releaseConnection(String subject, String connectionId) {
        forget(subject, connectionId);
    }

    /** The subject's connections on every node, or -1. */
    int connections(String subject) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return -1;
        }
        try {
            return async.hlen(RedisKeys.connections(subject)).get(timeout.toMillis(), TimeUnit.MILLISECONDS).intValue();
        } catch (Exception e) {
            interrupted(e);
            return -1;
        }
    }

    /**
     * After a (re)connect: this node's entries made whole again, pipelined. Redis may have lost
     * them, and releases made while it was away never reached it.
     */
    void registerAll(RedisClusterCommands<String, String> sync) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            throw new IllegalStateException("Redis is not connected");
        }
        Set<String> subjects = new java.util.HashSet<>(sync.smembers(RedisKeys.nodeSubjects(node)));
        subjects.addAll(connections.keySet());
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        for (String subject : subjects) {
            done.add(async.hgetall(RedisKeys.connections(subject)).toCompletableFuture().thenAccept(entries ->
                    connections.compute(subject, (s, held) -> { // in order with this subject's claims and releases
                        Set<String> ids = held == null ? Set.of() : held;
                        List<String> stale = new ArrayList<>();
                        entries.forEach((id, holder) -> {
                            if (node.equals(holder) && !ids.contains(id) && !claiming.contains(id)) {
                                stale.add(id);
                            }
                        });
                        if (!stale.isEmpty()) {
                            async.hdel(RedisKeys.connections(subject), stale.toArray(String[]::new));
                        }
                        if (ids.isEmpty()) {
                            async.srem(RedisKeys.nodeSubjects(node), subject);
                            return null;
                        }
                        Map<String, String> mine = new java.util.HashMap<>();
                        ids.forEach(id -> mine.put(id, node));
                        async.hset(RedisKeys.connections(subject), mine);
                        async.sadd(RedisKeys.nodeSubjects(node), subject);
                        return held;
                    })));
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(done.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            interrupted(e);
            throw new IllegalStateException("the connections of this node could not be registered again: " + e, e);
        }
    }

    /** The connections of {@code owner} (a dead node, or this one leaving) go from every subject's count. */
    int removeAll(RedisClusterCommands<String, String> sync, String owner) {
        int removed = 0;
        for (String subject : sync.smembers(RedisKeys.nodeSubjects(owner))) {
            List<String> ids = new ArrayList<>();
            sync.hgetall(RedisKeys.connections(subject)).forEach((id, holder) -> {
                if (owner.equals(holder)) {
                    ids.add(id);
                }
            });
            if (!ids.isEmpty()) {
                sync.hdel(RedisKeys.connections(subject), ids.toArray(String[]::new));
                removed += ids.size();
            }
        }
        sync.del(RedisKeys.nodeSubjects(owner));
        return removed;
    }

    private Claim claim(String key, String place, String value, int max) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return Claim.UNCHECKED;
        }
        try {
            Long taken = async.<Long>eval(CLAIM, ScriptOutputType.INTEGER, new String[] {key}, place, value,
                    String.valueOf(max)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return taken == 1 ? Claim.ADMITTED : Claim.REFUSED;
        } catch (Exception e) {
            interrupted(e);
            LOG.log(Level.FINE, "cluster: a place in " + key + " could not be claimed; the node's own count decides", e);
            return Claim.UNCHECKED;
        }
    }

    private void forget(String subject, String connectionId) {
        connections.computeIfPresent(subject, (s, ids) -> { // its HDEL in order with a resync's HSET
            ids.remove(connectionId);
            RedisClusterAsyncCommands<String, String> async = redis.async();
            if (async != null) {
                async.hdel(RedisKeys.connections(subject), connectionId);
                if (ids.isEmpty()) {
                    async.srem(RedisKeys.nodeSubjects(node), subject);
                }
            }
            return ids.isEmpty() ? null : ids;
        });
    }

    private static void interrupted(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }
}
