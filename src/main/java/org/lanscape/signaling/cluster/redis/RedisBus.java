package org.lanscape.signaling.cluster.redis;

import jakarta.json.JsonValue;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.Claim;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.ClusterConfig;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.cluster.HandOver;
import org.lanscape.signaling.cluster.ParkedSession;
import org.lanscape.signaling.cluster.RemoteMember;
import org.lanscape.signaling.protocol.RawJson;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Topics shared through Redis (Lettuce, non-blocking on every path a WebSocket thread takes), in
 * parts of one job each: the {@link RedisConnection}; {@link Presence}, who is in which topic;
 * the {@link Heartbeat}, this node's registration and the reaper of dead nodes; the
 * {@link InboundDispatch} of what arrives; {@link RelayForwarding} between nodes; and the
 * {@link Claims} of sessions resumed on another node. A membership event crosses Redis once per
 * topic and fans out locally; a relay goes to the one node that holds its target. While Redis is
 * unreachable the node serves its local conversations and reports unhealthy; when Redis is back
 * (even empty) it registers its peers again and re-reads the remote members of its topics.
 */
public final class RedisBus implements ClusterBus {

    private static final Logger LOG = Logger.getLogger(RedisBus.class.getName());

    private final String node;
    private final Duration timeout;
    private final ScheduledExecutorService maintenance;
    /** The heartbeat key's timer, which nothing else runs on. */
    private final ScheduledExecutorService pulse;
    private final RedisConnection redis;
    private final Presence presence;
    private final Places places;
    private final Reconcile reconcile;
    private final Heartbeat heartbeat;
    private final RelayForwarding relays;
    private final Claims claims;
    private final Undeliverable undeliverable;
    private final ParkedSessions parked;
    private final Standby standby;
    private final CrashParking crashParking;
    private final InboundDispatch inbound;
    private final ClusterObserver observer;
    private volatile boolean stopping;

    public RedisBus(ClusterConfig config, ClusterObserver observer) {
        this.node = config.nodeId();
        this.timeout = config.redisTimeout();
        this.observer = observer;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("signaling-cluster"));
        this.pulse = Executors.newSingleThreadScheduledExecutor(daemon("signaling-cluster-heartbeat"));
        this.redis = new RedisConnection(config.redisUrl(), config.topology(), timeout, config.scanInterval());
        Undeliverable undeliverable = new Undeliverable(redis, node, observer);
        this.undeliverable = undeliverable;
        this.parked = new ParkedSessions(redis, node, undeliverable);
        this.crashParking = new CrashParking(redis, node, timeout);
        this.standby = new Standby(redis, node, crashParking);
        this.places = new Places(redis, node, timeout);
        this.presence = new Presence(redis, node, timeout, observer, places, standby);
        this.claims = new Claims(redis, node, timeout, observer, undeliverable, standby);
        this.relays = new RelayForwarding(redis, node, observer, claims, undeliverable);
        this.inbound = new InboundDispatch(node, observer, relays, claims, config.inboundMaxBytes(),
                new ShedAnswers(undeliverable, this::resyncIfOpen));
        this.reconcile = new Reconcile(redis, node, timeout, observer, inbound, places, standby);
        this.heartbeat = new Heartbeat(config, redis, presence, reconcile, parked, observer);
    }

    @Override
    public void start(BusListener listener) {
        relays.start(listener);
        claims.start(listener, maintenance, inbound::onStripe);
        parked.start(listener);
        crashParking.start(listener);
        inbound.start(listener);
        reconcile.start(listener);
        boolean[] connectedBefore = new boolean[1];
        redis.start(() -> {
            if (connectedBefore[0]) {
                observer.reconnected();
            }
            connectedBefore[0] = true;
            heartbeat.unsync(); // the next beat registers again and re-reads
            maintenance.execute(() -> heartbeat.beat(this::connect));
        }, heartbeat::unsync, () -> {
            heartbeat.unsync(); // subscribe again where the slots are now, and resync presence
            maintenance.execute(() -> heartbeat.beat(this::connect));
        });
        heartbeat.start(maintenance, pulse, listener, this::connect);
        LOG.info(() -> "cluster mode redis: node " + node);
    }

    private void resyncIfOpen(String topic) {
        reconcile.markDirtyIfOpen(topic);
    }

    private void connect() {
        if (!stopping && !redis.created()) {
            redis.connect(redis.nodeChannel(node), inbound::dispatch);
        }
    }

    @Override
    public String nodeId() {
        return node;
    }

    @Override
    public Duration claimTimeout() {
        return timeout.multipliedBy(2);
    }

    @Override
    public boolean park(String topic, String token, ParkedSession session, Duration ttl) {
        return healthy() && parked.park(topic, token, session, ttl);
    }

    @Override
    public ParkedSession parked(String topic, String token) {
        return healthy() ? parked.find(topic, token) : null;
    }

    @Override
    public boolean unpark(String topic, String token, String peerId) {
        return parked.take(topic, token, peerId);
    }

    @Override
    public void adopted(String topic, String peerId, jakarta.json.JsonValue metadata) {
        parked.adopted(topic, peerId, metadata);
    }

    @Override
    public boolean canHandOver() {
        return healthy();
    }

    @Override
    public void standby(String topic, String peerId, String token, JsonValue metadata, String subject,
                        java.time.Duration grace) {
        standby.hold(topic, peerId, token, metadata, subject, grace);
    }

    @Override
    public void standbyEnded(String peerId, String token) {
        standby.release(peerId, token);
    }

    @Override
    public Claim claimPlace(String topic, String peerId, JsonValue metadata, int maxPeers) {
        return healthy() ? places.claimMember(topic, peerId, BusMessage.member(node, metadata), maxPeers) : Claim.UNCHECKED;
    }

    @Override
    public Claim claimConnection(String subject, String connectionId, int max) {
        return places.claimConnection(subject, connectionId, max, healthy());
    }

    @Override
    public void releaseConnection(String subject, String connectionId) {
        places.releaseConnection(subject, connectionId);
    }

    @Override
    public int connections(String subject) {
        return healthy() ? places.connections(subject) : -1;
    }

    @Override
    public boolean healthy() {
        return heartbeat.synced() && redis.isOpen();
    }

    @Override
    public Map<String, RemoteMember> open(String topic) {
        if (!healthy()) {
            reconcile.markDirty(topic); // subscribed and read by the next beat that reaches Redis
            return Map.of();
        }
        Map<String, RemoteMember> members = presence.open(topic);
        if (members == null) {
            reconcile.markDirty(topic);
            return Map.of();
        }
        return members;
    }

    @Override
    public boolean viewComplete(String topic) {
        return healthy() && !reconcile.pending(topic);
    }

    @Override
    public void close(String topic) {
        presence.close(topic);
    }

    @Override
    public void joined(String topic, String peerId, JsonValue metadata) {
        presence.joined(topic, peerId, metadata);
        places.joinSettled(topic, peerId);
    }

    @Override
    public void left(String topic, String peerId) {
        presence.left(topic, peerId);
        places.joinSettled(topic, peerId); // a join refused after its claim: its entry goes
    }

    @Override
    public boolean forward(RemoteMember target, String topic, String fromPeerId, String frame, RawJson msgId,
                           String senderNode) {
        return relays.forward(target, topic, fromPeerId, frame, msgId, senderNode);
    }

    @Override
    public void undeliverable(String senderNode, String fromPeerId, String code, RawJson msgId) {
        undeliverable.tell(senderNode, fromPeerId, code, msgId);
    }

    @Override
    public CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic,
                                                    String subject, Predicate<HandOver> adopt) {
        if (!healthy()) {
            return CompletableFuture.completedFuture(HandOver.Result.EXPIRED);
        }
        return claims.claim(owner, token, received, topic, subject, adopt);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mode", "redis");
        info.put("nodeId", node);
        info.put("healthy", healthy());
        info.put("knownNodes", heartbeat.knownNodes());
        return info;
    }

    /** Leaves the cluster at once: this node's presence and keys go (its peers have left already). */
    @Override
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        heartbeat.leave();
        maintenance.shutdownNow();
        pulse.shutdownNow();
        claims.expireAll();
        inbound.stop();
        redis.shutdown();
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
