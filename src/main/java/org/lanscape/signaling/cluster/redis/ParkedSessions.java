package org.lanscape.signaling.cluster.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ParkedSession;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sessions a stopping node left in Redis for the rest of their grace period: the session under a
 * key named by a hash of its token (the token itself is never stored), with the grace period as its
 * TTL; the peer's presence entry marked {@code "node":"parked"}, so that no reaper of the stopped
 * node removes it; and an entry in a sorted set by deadline, from which any node's scan removes
 * the peers nobody resumed in time (they leave then, as after any grace period). A resume on any
 * node takes the session: whoever removes its entry from the deadline set first (a resume, or an
 * expiry scan) decides, so one connection wins and a resumed session is never also reported gone.
 */
final class ParkedSessions {

    /** The presence entry's node while its session is in Redis. */
    private static final String PARKED = ParkedSession.NODE;
    private static final Logger LOG = Logger.getLogger(ParkedSessions.class.getName());
    /** How long past its grace period a parked session's senders are kept for the scan that ends it. */
    private static final long SENDERS_KEPT_MS = 60_000;

    private final RedisConnection redis;
    private final String node;
    private volatile BusListener listener;

    private final Undeliverable undeliverable;

    ParkedSessions(RedisConnection redis, String node, Undeliverable undeliverable) {
        this.redis = redis;
        this.node = node;
        this.undeliverable = undeliverable;
    }

    void start(BusListener listener) {
        this.listener = listener;
    }

    /** Leaves the session in Redis for {@code ttl}; false when Redis did not take it. */
    boolean park(String topic, String token, ParkedSession session, Duration ttl) {
        try {
            RedisClusterCommands<String, String> sync = redis.sync();
            JsonObjectBuilder record = org.lanscape.signaling.cluster.HeldRelay.write(
                    Json.createObjectBuilder().add("peer", session.peerId()), session.heldRelays())
                    .add("got", session.clientMessages());
            if (session.metadata() != null) {
                record.add("metadata", session.metadata());
            }
            if (session.subject() != null) {
                record.add("subject", session.subject());
            }
            sync.set(key(topic, token), record.build().toString(), SetArgs.Builder.px(ttl.toMillis()));
            if (session.heldRelays().stream().anyMatch(relay -> relay.from() != null)) {
                // who sent its held relays, kept past the grace period: the scan that ends it tells them
                sync.set(RedisKeys.parkedSenders(topic, session.peerId()),
                        org.lanscape.signaling.cluster.HeldRelay.senders(session.heldRelays()).toString(),
                        SetArgs.Builder.px(ttl.toMillis() + SENDERS_KEPT_MS));
            }
            sync.hset(RedisKeys.members(topic), session.peerId(), BusMessage.member(PARKED, session.metadata()));
            // The other nodes answer relays to it with dropped from now on, instead of sending them here.
            redis.publish(sync, redis.topicChannel(topic), BusMessage.move(node, topic, session.peerId(), PARKED));
            // last: only now can a resume take it, so its MOVE comes after this one everywhere
            sync.zadd(RedisKeys.PARKED, System.currentTimeMillis() + ttl.toMillis(), entry(topic, session.peerId()));
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: could not park a session in Redis; it ends", e);
            return false;
        }
    }

    /** The session parked under that token, or null; it stays parked. */
    ParkedSession find(String topic, String token) {
        try {
            String text = redis.sync().get(key(topic, token));
            return text == null ? null : session(BusMessage.parse(text));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cluster: could not read a parked session", e);
            return null;
        }
    }

    /**
     * Takes the session out of Redis; false when another connection took it first, or its grace
     * period ended. Whoever removes its entry from the deadline set decides (a resume here, or a
     * node's expiry scan), so that a session is never both resumed and reported gone.
     */
    boolean take(String topic, String token, String peer) {
        try {
            RedisClusterCommands<String, String> sync = redis.sync();
            if (sync.zrem(RedisKeys.PARKED, entry(topic, peer)) != 1) {
                return false; // taken, or ended by an expiry scan
            }
            if (sync.getdel(key(topic, token)) != null) {
                sync.del(RedisKeys.parkedSenders(topic, peer)); // its relays are delivered where it resumes
                return true;
            }
            leave(sync, topic, peer); // its record expired just now: it ends here
            return false;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cluster: could not take a parked session", e);
            return false;
        }
    }

    /** The session runs on this node now: its presence says so, and the others hear of the move. */
    void adopted(String topic, String peer, JsonValue metadata) {
        try {
            RedisClusterCommands<String, String> sync = redis.sync();
            sync.hset(RedisKeys.members(topic), peer, BusMessage.member(node, metadata));
            sync.sadd(RedisKeys.nodeTopics(node), topic);
            redis.publish(sync, redis.topicChannel(topic), BusMessage.move(node, topic, peer, node));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster: could not record a resumed session's new node; the next sync does", e);
        }
    }

    /** Removes the parked peers whose deadline passed (they leave everywhere); returns how many. */
    int expire(RedisClusterCommands<String, String> sync) {
        int removed = 0;
        List<String> due = sync.zrangebyscore(RedisKeys.PARKED, Range.create(0, (double) System.currentTimeMillis()),
                Limit.create(0, 100));
        for (String entry : due) {
            if (sync.zrem(RedisKeys.PARKED, entry) != 1) {
                continue; // another node got there first
            }
            int split = entry.indexOf('\n');
            String topic = entry.substring(0, split);
            String peer = entry.substring(split + 1);
            if (leave(sync, topic, peer)) {
                removed++;
            }
        }
        return removed;
    }

    /** A parked session ends: its presence goes, and every node (this one too) reports it gone. */
    private boolean leave(RedisClusterCommands<String, String> sync, String topic, String peer) {
        String member = sync.hget(RedisKeys.members(topic), peer);
        if (member == null || !PARKED.equals(BusMessage.parse(member).getString("node", ""))
                || sync.hdel(RedisKeys.members(topic), peer) != 1) {
            return false;
        }
        listener.remoteLeft(topic, peer);
        redis.publish(sync, redis.topicChannel(topic), BusMessage.leave(node, topic, peer));
        String senders = sync.getdel(RedisKeys.parkedSenders(topic, peer));
        if (senders != null) {
            undeliverable.dropped(listener, org.lanscape.signaling.cluster.HeldRelay.sendersOf(
                    Json.createReader(new java.io.StringReader(senders)).readArray()));
        }
        return true;
    }

    private static ParkedSession session(JsonObject record) {
        return new ParkedSession(record.getString("peer"), record.get("metadata"), record.getString("subject", null),
                org.lanscape.signaling.cluster.HeldRelay.read(record),
                BusMessage.got(record));
    }

    static String entry(String topic, String peer) {
        return topic + "\n" + peer;
    }

    /** Under the token's hash: Redis never holds a token that would resume the session. */
    private static String key(String topic, String token) {
        return RedisKeys.parked(topic, TokenHash.of(token));
    }
}
