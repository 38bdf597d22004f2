package org.lanscape.signaling.telemetry;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.lanscape.signaling.cluster.ClusterObserver;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.lanscape.signaling.telemetry.NodeGauges.meta;

/** What the cluster bus reports: messages between nodes, Redis round trips, reconnects, resyncs. */
@ApplicationScoped
public class ClusterMetrics implements ClusterObserver {

    @Inject
    MetricRegistry registry;

    private final Map<String, Counter> clusterMessages = new ConcurrentHashMap<>();
    private Timer redisLatency;
    private Counter reconnects;
    private Counter deadNodes;
    private Timer resyncTime;
    private Counter resyncWritten;

    @PostConstruct
    void register() {
        redisLatency = registry.timer(meta("signaling.redis.latency",
                "Round trip of a Redis command (cluster mode)", MetricUnits.SECONDS));
        reconnects = registry.counter(meta("signaling.cluster.reconnects",
                "Reconnections to Redis (cluster mode)", MetricUnits.NONE));
        deadNodes = registry.counter(meta("signaling.cluster.dead.nodes",
                "Dead nodes whose peers this node removed (cluster mode)", MetricUnits.NONE));
        resyncTime = registry.timer(meta("signaling.cluster.resync",
                "Resyncs of this node's presence and views after a (re)connect to Redis (cluster mode)", MetricUnits.SECONDS));
        resyncWritten = registry.counter(meta("signaling.cluster.resync.entries",
                "Presence entries written by resyncs (cluster mode)", MetricUnits.NONE));
    }

    /** Called at startup, so that the first scrape has these series (the bean is otherwise made on first use). */
    public void registerAll() {
        // the call itself makes the bean, and its @PostConstruct registers every instrument
    }

    @Override
    public void messageOut(String kind) {
        clusterMessage("out", kind);
    }

    @Override
    public void messageIn(String kind) {
        clusterMessage("in", kind);
    }

    @Override
    public void messageShed(String kind) {
        clusterMessage("shed", kind);
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
}
