package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.lanscape.signaling.topic.PeerWatchdog;

/**
 * /health/live: DOWN only when the process is broken, here when the peer watchdog's timer has
 * stopped sweeping (pings, timeouts and cleanup would stop with it). A restart is the cure then.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Inject
    PeerWatchdog watchdog;
    @Inject
    org.lanscape.signaling.lifecycle.ServerLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        // Not before the startup built the watchdog: a probe's thread may not see the application's configuration.
        return HealthCheckResponse.named("signaling-alive").status(lifecycle.hasStarted() && watchdog.isSweeping()).build();
    }
}
