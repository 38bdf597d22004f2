package org.lanscape.signaling.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.lanscape.signaling.session.PeerWatchdog;

/**
 * /health/live: DOWN only when the process is broken, and a restart (which drains and hands the
 * sessions over) is the cure: the peer watchdog's timer has stopped sweeping (pings, timeouts and
 * cleanup would stop with it), or more writer threads than {@code signaling.write.held-limit} are
 * held in writes that never return (each one a thread and its stack for good; see WriterThreads).
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Inject
    PeerWatchdog watchdog;
    @Inject
    org.lanscape.signaling.lifecycle.ServerLifecycle lifecycle;
    @Inject
    org.lanscape.signaling.topic.TopicRegistry registry;
    @Inject
    org.lanscape.signaling.config.SignalingConfig config;

    @Override
    public HealthCheckResponse call() {
        // Not before the startup built the watchdog: a probe's thread may not see the application's configuration.
        if (!lifecycle.hasStarted()) {
            return HealthCheckResponse.named("signaling-alive").down().build();
        }
        int held = registry.heldWriters();
        return HealthCheckResponse.named("signaling-alive")
                .status(watchdog.isSweeping() && held <= config.heldWritersLimit())
                .withData("heldWriters", held)
                .build();
    }
}
