package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

/** /health/started: UP once the application has checked its configuration and started its timers. */
@Startup
@ApplicationScoped
public class StartupCheck implements HealthCheck {

    @Inject
    ServerLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("signaling-started").status(lifecycle.hasStarted()).build();
    }
}
