package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

/**
 * /health/ready: UP only between startup and the start of shutdown, and, in cluster mode, while
 * Redis is reachable and this node is registered with it; a load balancer sends traffic then.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    ServerLifecycle lifecycle;
    @Inject
    ClusterBus bus;

    /** What readiness says, and the signaling_ready gauge with it. */
    public static boolean ready(ServerLifecycle lifecycle, ClusterBus bus) {
        // Before the startup the bus is not even built, and is not built here: a probe's thread may not
        // see the application's configuration (on Payara it does not), and would build it wrong.
        return lifecycle.isReady() && lifecycle.hasStarted() && bus.healthy();
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
