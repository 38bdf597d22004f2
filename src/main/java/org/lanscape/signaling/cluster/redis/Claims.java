package org.lanscape.signaling.cluster.redis;

import com.github.f4b6a3.ulid.UlidCreator;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.json.JsonObject;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.HandOver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Sessions resumed on another node. The node the client came back to publishes a {@code claim}
 * on the owner's node channel and waits at most the Redis timeout; the owner hands the session
 * over ({@code handover} to the claimant, then {@code move} on the topic's channel, after the
 * presence entry points at the claimant) or says why not ({@code refused}).
 */
final class Claims {

    private record Pending(Predicate<HandOver> adopt, CompletableFuture<HandOver.Result> result, String topic) {
    }

    private final RedisConnection redis;
    private final String node;
    private final Duration timeout;
    private final ClusterObserver observer;
    /** Claims this node sent, by claim id, until the owner answers or the timeout. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Undeliverable undeliverable;
    private final Standby standby;
    /**
     * Relays for a peer this node does not know, in a topic it is claiming a session of: they wait
     * for the claim's end, then are handled again. On a Redis Cluster the owner's hand-over (on this
     * node's channel) and its move (on the topic's) go to two shards: a relay sent on the move's word
     * can come before the session. Guarded by this.
     */
    private final Map<String, List<Runnable>> heldForClaims = new java.util.HashMap<>();
    private volatile java.util.function.BiConsumer<String, Runnable> onStripe = (topic, task) -> task.run();
    private volatile BusListener listener;
    private volatile ScheduledExecutorService timer;

    Claims(RedisConnection redis, String node, Duration timeout, ClusterObserver observer, Undeliverable undeliverable,
           Standby standby) {
        this.standby = standby;
        this.redis = redis;
        this.node = node;
        this.timeout = timeout;
        this.observer = observer;
        this.undeliverable = undeliverable;
    }

    void start(BusListener listener, ScheduledExecutorService timer, java.util.function.BiConsumer<String, Runnable> onStripe) {
        this.listener = listener;
        this.timer = timer;
        this.onStripe = onStripe;
    }

    /** Keeps {@code retry} (a relay to a peer not found here) until this node's claims in that topic end; false if there are none. */
    synchronized boolean holdUntilClaimed(String topic, Runnable retry) {
        if (pending.values().stream().noneMatch(claim -> claim.topic().equals(topic))) {
            return false;
        }
        heldForClaims.computeIfAbsent(topic, t -> new ArrayList<>()).add(retry);
        return true;
    }

    /** A claim in that topic ended: once none is left, the relays that waited for them are handled again, on the topic's worker. */
    private void claimEnded(String topic) {
        List<Runnable> retries;
        synchronized (this) {
            if (pending.values().stream().anyMatch(claim -> claim.topic().equals(topic))) {
                return;
            }
            retries = heldForClaims.remove(topic);
        }
        if (retries != null) {
            retries.forEach(retry -> onStripe.accept(topic, retry));
        }
    }

    /**
     * The owner will not answer: if it had the session, the session waits to be parked once the
     * owner is found dead, or was parked just now (the cleanup writes the parked session before it
     * removes the record): either way the client comes back for it.
     */
    private void ownerSilent(RedisClusterAsyncCommands<String, String> async, String id, String owner, String token,
                             String topic) {
        if (!pending.containsKey(id)) {
            return;
        }
        standby.holds(async, owner, token).thenCompose(held -> Boolean.TRUE.equals(held)
                        ? java.util.concurrent.CompletableFuture.completedFuture(true)
                        : async.exists(RedisKeys.parked(topic, TokenHash.of(token))).thenApply(n -> n == 1))
                .whenComplete((waiting, unknown) -> settle(id,
                        Boolean.TRUE.equals(waiting) ? HandOver.Result.OWNER_DOWN : HandOver.Result.EXPIRED));
    }

    /** See {@link org.lanscape.signaling.cluster.ClusterBus#claim}. */
    CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic, String subject,
                                             Predicate<HandOver> adopt) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return CompletableFuture.completedFuture(HandOver.Result.EXPIRED);
        }
        String id = UlidCreator.getUlid().toString();
        Pending claim = new Pending(adopt, new CompletableFuture<>(), topic);
        pending.put(id, claim);
        try {
            // no answer in time: its node died (Redis had not noticed yet when the claim went out), or is too slow
            timer.schedule(() -> ownerSilent(async, id, owner, token, topic), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException stopping) {
            settle(id, HandOver.Result.EXPIRED);
            return claim.result();
        }
        redis.publish(async, redis.nodeChannel(owner), BusMessage.claim(node, id, topic, token, received, subject))
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        settle(id, HandOver.Result.EXPIRED);
                    } else if (receivers == 0) { // its node is gone: it had the session, or it is gone with it
                        ownerSilent(async, id, owner, token, topic);
                    }
                });
        observer.messageOut(BusMessage.CLAIM);
        return claim.result();
    }

    /** The owner refused the claim (expired, invalid). */
    void refused(JsonObject message) {
        settle(message.getString("id"), HandOver.Result.valueOf(message.getString("result").toUpperCase(Locale.ROOT)));
    }

    /** Nobody gets an answer any more: the node is stopping. */
    void expireAll() {
        pending.keySet().forEach(id -> settle(id, HandOver.Result.EXPIRED));
    }

    /** Another node asks for the session of one of our peers: hand it over, or say why not. */
    void claimed(String claimant, JsonObject message) {
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (async == null) {
            return; // the claimant gives up after its timeout
        }
        String id = message.getString("id");
        String topic = message.getString("topic");
        long received = message.getJsonNumber("received") == null ? -1 : message.getJsonNumber("received").longValue();
        String subject = message.containsKey("subject") ? message.getString("subject") : null;
        HandOver.Result result = listener.handOver(message.getString("token"), received, topic, subject, claimant, handOver -> {
            // One connection, so Redis sees these in this order, before any relay sent on afterwards.
            async.hset(RedisKeys.members(topic), handOver.peerId(), BusMessage.member(claimant, handOver.metadata()));
            redis.publish(async, redis.nodeChannel(claimant), BusMessage.handOver(node, id, topic, handOver));
            redis.publish(async, redis.topicChannel(topic), BusMessage.move(node, topic, handOver.peerId(), claimant));
            observer.messageOut(BusMessage.HANDOVER);
            observer.messageOut(BusMessage.MOVE);
        });
        if (result != HandOver.Result.HANDED_OVER) {
            redis.publish(async, redis.nodeChannel(claimant), BusMessage.refused(node, id, topic, result));
            observer.messageOut(BusMessage.REFUSED);
        }
    }

    /**
     * The session we claimed: installed here on this topic's worker, so before any relay that
     * follows it. If nobody waits for it any more (the claim timed out), it ends, everywhere.
     */
    void handedOver(JsonObject message) {
        String topic = message.getString("topic");
        String peer = message.getString("peer");
        List<org.lanscape.signaling.cluster.HeldRelay> frames = org.lanscape.signaling.cluster.HeldRelay.read(message);
        HandOver handOver = new HandOver(HandOver.Result.HANDED_OVER, peer, message.get("metadata"), frames,
                BusMessage.got(message));
        Pending claim = pending.remove(message.getString("id"));
        boolean adopted = false;
        if (claim != null) {
            try {
                adopted = claim.adopt().test(handOver);
            } finally {
                claim.result().complete(adopted ? HandOver.Result.HANDED_OVER : HandOver.Result.EXPIRED);
                claimEnded(claim.topic()); // after the adoption: the relays that waited find the session
            }
        }
        RedisClusterAsyncCommands<String, String> async = redis.async();
        if (adopted) {
            if (async != null) {
                async.sadd(RedisKeys.nodeTopics(node), topic);
            }
            return;
        }
        listener.remoteLeft(topic, peer);
        undeliverable.dropped(listener, frames); // nobody will get them: their senders are told
        if (async != null) {
            async.hdel(RedisKeys.members(topic), peer);
            redis.publish(async, redis.topicChannel(topic), BusMessage.leave(node, topic, peer));
            observer.messageOut(BusMessage.LEAVE);
        }
    }

    private void settle(String claimId, HandOver.Result result) {
        Pending claim = pending.remove(claimId);
        if (claim != null) {
            claim.result().complete(result);
            claimEnded(claim.topic());
        }
    }
}
