package org.lanscape.signaling.telemetry;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.protocol.MessageTypes;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;
import org.lanscape.signaling.topic.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application metrics, at /metrics as Prometheus text. Names are absolute (registered by
 * name, not by class), so they are the same on every runtime; outcomes are tags. Instruments are
 * built once; the hot path only increments.
 */
@ApplicationScoped
public class SignalingMetrics implements TopicObserver, ClusterObserver {

    private static final List<String> RELAY_TYPES =
            List.of(MessageTypes.OFFER, MessageTypes.ANSWER, MessageTypes.ICE_CANDIDATE);

    @Inject
    MetricRegistry registry;
    @Inject
    TopicRegistry topics;
    @Inject
    org.lanscape.signaling.lifecycle.ServerLifecycle lifecycle;
    @Inject
    org.lanscape.signaling.cluster.ClusterBus bus;
    @Inject
    org.lanscape.signaling.config.SignalingConfig config;

    private Counter joins;
    private Counter leaves;
    private Counter slowConsumers;
    private Counter[][] relays; // [type][result]
    private Timer relayLatency;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> closes = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final Map<String, Counter> clusterMessages = new ConcurrentHashMap<>();
    private Timer redisLatency;
    private Counter reconnects;
    private Counter deadNodes;
    private Counter turnIssued;
    private Timer resyncTime;
    private Counter resyncWritten;
    private Counter resyncAnnounced;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder slow = new LongAdder();

    @PostConstruct
    void register() {
        registry.gauge(meta("signaling.peers", "Peers connected to this node", MetricUnits.NONE),
                topics, TopicRegistry::peerCount);
        registry.gauge(meta("signaling.topics", "Topics with at least one peer on this node", MetricUnits.NONE),
                topics, TopicRegistry::topicCount);
        registry.gauge(meta("signaling.connections.max", "signaling.max-connections: the peers this node takes",
                MetricUnits.NONE), config, c -> c.maxConnections());
        registry.gauge(meta("signaling.writers.held", "Writer threads held in writes that never return (clients that"
                + " vanished while they were written to); liveness is DOWN past signaling.write.held-limit",
                MetricUnits.NONE), topics, TopicRegistry::heldWriters);
        registry.gauge(meta("signaling.ready", "1 while /health/ready answers UP, else 0", MetricUnits.NONE),
                lifecycle, l -> org.lanscape.signaling.health.ReadinessCheck.ready(l, bus) ? 1 : 0);
        registry.gauge(meta("signaling.cluster.healthy", "1 while the cluster bus works (always 1 with one node), else 0",
                MetricUnits.NONE), bus, b -> b.healthy() ? 1 : 0);
        joins = registry.counter(meta("signaling.joins", "Peers that joined a topic", MetricUnits.NONE));
        leaves = registry.counter(meta("signaling.leaves", "Peers that left a topic", MetricUnits.NONE));
        slowConsumers = registry.counter(meta("signaling.slow.consumers",
                "Peers disconnected (or held for a resume) because their queue had no room for an event they had to get",
                MetricUnits.NONE));
        registry.gauge(meta("signaling.queued", "Bytes in all outbound queues of this node", MetricUnits.BYTES),
                topics, t -> t.queueBudget().used());
        Metadata relayMeta = meta("signaling.relays", "Relayed messages by type and result", MetricUnits.NONE);
        relays = new Counter[RELAY_TYPES.size()][RelayResult.values().length];
        for (int t = 0; t < RELAY_TYPES.size(); t++) {
            for (RelayResult result : RelayResult.values()) {
                relays[t][result.ordinal()] = registry.counter(relayMeta,
                        new Tag("type", RELAY_TYPES.get(t)), new Tag("result", lower(result.name())));
            }
        }
        relayLatency = registry.timer(meta("signaling.relay.latency",
                "From receipt of a relay to its hand-off to the target's socket (one relay in eight)", MetricUnits.SECONDS));
        redisLatency = registry.timer(meta("signaling.redis.latency",
                "Round trip of a Redis command (cluster mode)", MetricUnits.SECONDS));
        reconnects = registry.counter(meta("signaling.cluster.reconnects",
                "Reconnections to Redis (cluster mode)", MetricUnits.NONE));
        deadNodes = registry.counter(meta("signaling.cluster.dead.nodes",
                "Dead nodes whose peers this node removed (cluster mode)", MetricUnits.NONE));
        turnIssued = registry.counter(meta("signaling.turn.credentials",
                "TURN credentials issued", MetricUnits.NONE));
        resyncTime = registry.timer(meta("signaling.cluster.resync",
                "Resyncs of this node's presence and views after a (re)connect to Redis (cluster mode)", MetricUnits.SECONDS));
        resyncWritten = registry.counter(meta("signaling.cluster.resync.entries",
                "Presence entries written by resyncs (cluster mode)", MetricUnits.NONE));
        resyncAnnounced = registry.counter(meta("signaling.cluster.view.changes",
                "peer-joined and peer-left told to local peers by resyncs, nodes' syncs and dead nodes' purges (cluster mode)",
                MetricUnits.NONE));
    }

    @Override
    public void messageOut(String kind) {
        clusterMessage("out", kind);
    }

    @Override
    public void messageIn(String kind) {
        clusterMessage("in", kind);
    }

    private void clusterMessage(String direction, String kind) {
        clusterMessages.computeIfAbsent(direction + kind, k -> registry.counter(
                meta("signaling.cluster.messages", "Messages between nodes through Redis, by direction and kind",
                        MetricUnits.NONE), new Tag("direction", direction), new Tag("kind", kind))).inc();
    }

    @Override
    public void redisRoundTrip(long nanos) {
        redisLatency.update(Duration.ofNanos(nanos));
    }

    @Override
    public void reconnected() {
        reconnects.inc();
    }

    @Override
    public void deadNodeCleaned() {
        deadNodes.inc();
    }

    @Override
    public void resynced(long nanos, int entriesWritten) {
        resyncTime.update(Duration.ofNanos(nanos));
        resyncWritten.inc(entriesWritten);
    }

    /** Membership changes announced to local peers by a resync, a node's sync or a dead node's purge. */
    @Override
    public void viewChanges(int announced) {
        resyncAnnounced.inc(announced);
    }

    @Override
    public void undeliverable(String code) {
        errorSent(code);
        if ("dropped".equals(code)) {
            dropped.increment();
        }
    }

    @Override
    public void joined(Peer peer) {
        joins.inc();
    }

    @Override
    public void left(Peer peer) {
        leaves.inc();
    }

    @Override
    public void relayed(String type, RelayResult result) {
        int t = RELAY_TYPES.indexOf(type);
        if (t >= 0) {
            relays[t][result.ordinal()].inc();
        }
        if (result == RelayResult.DROPPED) {
            dropped.increment();
        }
    }

    @Override
    public void slowConsumer() {
        slowConsumers.inc();
        slow.increment();
    }

    /** The bean itself: called through its CDI client proxy, the instance behind it (see TopicObserver#target). */
    public java.util.function.Supplier<SignalingMetrics> metricsTarget() {
        SignalingMetrics self = this;
        return () -> self;
    }

    /**
     * One relay in eight, chosen by the low bits of the latency itself: recording into the timer's
     * histograms cost more than the rest of a relay's bookkeeping; eight is plenty for percentiles.
     */
    @Override
    public void handedOff(long nanosSinceReceipt) {
        if ((nanosSinceReceipt & 7) == 0) {
            relayLatency.update(Duration.ofNanos(nanosSinceReceipt));
        }
    }

    /**
     * Called at startup, so that the first scrape already has every series (the bean would otherwise be
     * created by the first request that counts something): the error counters too, at 0.
     */
    public void registerAll() {
        for (org.lanscape.signaling.protocol.ErrorCode code : org.lanscape.signaling.protocol.ErrorCode.values()) {
            errors.computeIfAbsent(code.wire(), c -> registry.counter(
                    meta("signaling.errors", "Protocol errors sent to clients, by code", MetricUnits.NONE), new Tag("code", c)));
        }
    }

    /** An {@code error} frame sent to a client. */
    public void errorSent(String code) {
        errors.computeIfAbsent(code, c -> registry.counter(
                meta("signaling.errors", "Protocol errors sent to clients, by code", MetricUnits.NONE),
                new Tag("code", c))).inc();
    }

    /** A WebSocket connection closed, with that close code. */
    public void connectionClosed(int closeCode) {
        closes.computeIfAbsent(closeCode, c -> registry.counter(
                meta("signaling.connections.closed", "WebSocket connections closed, by close code", MetricUnits.NONE),
                new Tag("code", String.valueOf(c)))).inc();
    }

    /** A handshake refused before the upgrade, by reason. */
    public void handshakeRejected(String reason) {
        rejections.computeIfAbsent(reason, r -> registry.counter(
                meta("signaling.handshakes.rejected", "WebSocket handshakes refused, by reason", MetricUnits.NONE),
                new Tag("reason", r))).inc();
    }

    private final Map<String, Counter> resumes = new ConcurrentHashMap<>();

    /** A resume attempt: ok, expired or invalid. */
    public void resumed(String result) {
        resumes.computeIfAbsent(result, r -> registry.counter(
                meta("signaling.resumes", "Session resume attempts, by result", MetricUnits.NONE),
                new Tag("result", r))).inc();
    }

    public void turnCredentialsIssued() {
        turnIssued.inc();
    }

    /** Relays dropped and slow consumers disconnected since startup, for /debug/stats. */
    public long relaysDropped() {
        return dropped.sum();
    }

    public long slowConsumers() {
        return slow.sum();
    }

    private static Metadata meta(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description).withUnit(unit).build();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
