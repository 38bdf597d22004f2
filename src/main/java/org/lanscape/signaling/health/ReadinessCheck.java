package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

/**
 * /health/ready: UP between startup and the start of shutdown; a load balancer sends traffic then.
 * In cluster mode its data says whether Redis is reachable and this node registered with it.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    ServerLifecycle lifecycle;
    @Inject
    ClusterBus bus;

    /**
     * What readiness says, and the signaling_ready gauge with it: the node takes connections.
     * Redis does not count: while it is away the node serves its own peers (and new ones), relays to
     * other nodes' peers are answered dropped, and the views catch up when it is back. A Redis blip
     * must not take every node out of the load balancer at once (docs/clustering.md, failure table).
     */
    public static boolean ready(ServerLifecycle lifecycle, ClusterBus bus) {
        return lifecycle.isReady() && lifecycle.hasStarted();
    }

    @Override
    public HealthCheckResponse call() {
        boolean cluster = lifecycle.hasStarted() && bus.healthy();
        return HealthCheckResponse.named("signaling-ready")
                .status(ready(lifecycle, bus))
                .withData("state", lifecycle.state().name().toLowerCase(java.util.Locale.ROOT))
                .withData("cluster", cluster)
                .build();
    }
}
