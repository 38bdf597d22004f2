package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

/** /health/ready: UP only between startup and the start of shutdown; a load balancer sends traffic then. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    @Inject
    ServerLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("signaling-ready")
                .status(lifecycle.isReady())
                .withData("state", lifecycle.state().name().toLowerCase(java.util.Locale.ROOT))
                .build();
    }
}
