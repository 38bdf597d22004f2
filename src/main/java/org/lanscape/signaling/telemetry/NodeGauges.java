package org.lanscape.signaling.telemetry;

import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.health.ReadinessCheck;
import org.lanscape.signaling.lifecycle.ServerLifecycle;
import org.lanscape.signaling.topic.TopicRegistry;

/** The gauges of what this node holds, read at each scrape. */
final class NodeGauges {

    private NodeGauges() {
    }

    static void register(MetricRegistry metrics, TopicRegistry topics, ServerLifecycle lifecycle, ClusterBus bus,
                         SignalingConfig config) {
        metrics.gauge(meta("signaling.peers", "Peers connected to this node", MetricUnits.NONE),
                topics, registry -> registry.topics().peerCount());
        metrics.gauge(meta("signaling.topics", "Topics with at least one peer on this node", MetricUnits.NONE),
                topics, registry -> registry.topics().count());
        metrics.gauge(meta("signaling.connections.max", "signaling.max-connections: the peers this node takes",
                MetricUnits.NONE), config, c -> c.maxConnections());
        metrics.gauge(meta("signaling.writers.held", "Writer threads held in writes that never return (clients that"
                + " vanished while they were written to); liveness is DOWN past signaling.write.held-limit",
                MetricUnits.NONE), topics, TopicRegistry::heldWriters);
        metrics.gauge(meta("signaling.ready", "1 while /health/ready answers UP, else 0", MetricUnits.NONE),
                lifecycle, l -> ReadinessCheck.ready(l, bus) ? 1 : 0);
        metrics.gauge(meta("signaling.cluster.healthy", "1 while the cluster bus works (always 1 with one node), else 0",
                MetricUnits.NONE), bus, b -> b.healthy() ? 1 : 0);
        metrics.gauge(meta("signaling.queued", "Bytes in all outbound queues of this node", MetricUnits.BYTES),
                topics, t -> t.queueBudget().used());
    }

    static Metadata meta(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description).withUnit(unit).build();
    }
}
