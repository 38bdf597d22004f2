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
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.lifecycle.ServerLifecycle;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.protocol.MessageTypes;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application metrics, at /metrics as Prometheus text. Names are absolute (registered by
 * name, not by class), so they are the same on every runtime; outcomes are tags. Instruments are
 * built once; the hot path only increments.
 */
@ApplicationScoped
public class SignalingMetrics implements TopicObserver {

    private static final List<String> RELAY_TYPES =
            List.of(MessageTypes.OFFER, MessageTypes.ANSWER, MessageTypes.ICE_CANDIDATE);
    /**
     * The close codes counted under their own tag: the protocol's and this server's. A client may
     * close with any code it likes; each of the others counts as "other", or one client could make
     * thousands of series.
     */
    static final Set<Integer> CLOSE_CODES = Set.of(1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010,
            1011, 1012, 1013, 1015, 4000, 4001, 4002, 4003, 4409);
    /** Why handshakes are refused (HandshakeFilter, SignalingEndpoint, the auth codes). */
    static final List<String> REJECTIONS = List.of("not_ready", "invalid_topic", "origin_not_allowed", "missing_token",
            "invalid_token", "topic_forbidden", "invalid_metadata", "topic_full", "node_full", "unchecked",
            "user_limit", "rate_limited");
    static final List<String> RESUME_RESULTS = List.of("ok", "expired", "invalid", "full", "unavailable");

    @Inject
    MetricRegistry registry;
    @Inject
    TopicRegistry topics;
    @Inject
    ServerLifecycle lifecycle;
    @Inject
    ClusterBus bus;
    @Inject
    SignalingConfig config;
    @Inject
    ClusterMetrics cluster;

    private Counter joins;
    private Counter leaves;
    private Counter slowConsumers;
    private Counter[][] relays; // [type][result]
    private Timer relayLatency;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final Map<String, Counter> resumes = new ConcurrentHashMap<>();
    private Counter turnIssued;
    private Counter resyncAnnounced;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder slow = new LongAdder();

    @PostConstruct
    void register() {
        NodeGauges.register(registry, topics, lifecycle, bus, config);
        joins = registry.counter(meta("signaling.joins", "Peers that joined a topic", MetricUnits.NONE));
        leaves = registry.counter(meta("signaling.leaves", "Peers that left a topic", MetricUnits.NONE));
        slowConsumers = registry.counter(meta("signaling.slow.consumers",
                "Peers disconnected (or held for a resume) because their queue had no room for an event they had to get",
                MetricUnits.NONE));
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
        turnIssued = registry.counter(meta("signaling.turn.credentials",
                "TURN credentials issued", MetricUnits.NONE));
        resyncAnnounced = registry.counter(meta("signaling.cluster.view.changes",
                "peer-joined and peer-left told to local peers by resyncs, nodes' syncs and dead nodes' purges (cluster mode)",
                MetricUnits.NONE));
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
     * created by the first request that counts something): the tagged counters too (errors, closes, refused
     * handshakes, resumes), at 0.
     */
    public void registerAll() {
        cluster.registerAll();
        for (org.lanscape.signaling.protocol.ErrorCode code : org.lanscape.signaling.protocol.ErrorCode.values()) {
            errorCounter(code.wire());
        }
        CLOSE_CODES.forEach(this::closeCounter);
        closeCounter(-1);
        REJECTIONS.forEach(this::rejectionCounter);
        RESUME_RESULTS.forEach(this::resumeCounter);
    }

    /** An {@code error} frame sent to a client. */
    public void errorSent(String code) {
        errorCounter(code).inc();
    }

    private Counter errorCounter(String code) {
        return tagged(errors, code, "signaling.errors", "Protocol errors sent to clients, by code", "code");
    }

    /** A WebSocket connection closed, with that close code. */
    public void connectionClosed(int closeCode) {
        closeCounter(closeCode).inc();
    }

    private Counter closeCounter(int closeCode) {
        String code = CLOSE_CODES.contains(closeCode) ? String.valueOf(closeCode) : "other";
        return tagged(closes, code, "signaling.connections.closed", "WebSocket connections closed, by close code", "code");
    }

    /** A handshake refused before the upgrade, by reason. */
    public void handshakeRejected(String reason) {
        rejectionCounter(reason).inc();
    }

    private Counter rejectionCounter(String reason) {
        return tagged(rejections, reason, "signaling.handshakes.rejected", "WebSocket handshakes refused, by reason",
                "reason");
    }

    /** A resume attempt: ok, expired or invalid. */
    public void resumed(String result) {
        resumeCounter(result).inc();
    }

    private Counter resumeCounter(String result) {
        return tagged(resumes, result, "signaling.resumes", "Session resume attempts, by result", "result");
    }

    /** The counter of that name for one value of its tag, made on first use. */
    private Counter tagged(Map<String, Counter> counters, String value, String name, String description, String tag) {
        return counters.computeIfAbsent(value,
                v -> registry.counter(meta(name, description, MetricUnits.NONE), new Tag(tag, v)));
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
        return NodeGauges.meta(name, description, unit);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
