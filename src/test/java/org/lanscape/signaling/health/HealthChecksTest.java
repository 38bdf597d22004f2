package org.lanscape.signaling.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HealthChecksTest {

    @Test
    void readinessIsDownWhileStartingUpWhenReadyAndDownOnceDraining() {
        ServerLifecycle lifecycle = new ServerLifecycle();
        ReadinessCheck readiness = new ReadinessCheck();
        readiness.lifecycle = lifecycle;
        StartupCheck startup = new StartupCheck();
        startup.lifecycle = lifecycle;

        assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus());
        assertEquals(HealthCheckResponse.Status.DOWN, startup.call().getStatus());
        lifecycle.ready();
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        assertEquals(HealthCheckResponse.Status.UP, startup.call().getStatus());
        lifecycle.drain();
        assertEquals(HealthCheckResponse.Status.DOWN, readiness.call().getStatus());
        assertEquals("draining", readiness.call().getData().orElseThrow().get("state"));
        assertEquals(HealthCheckResponse.Status.UP, startup.call().getStatus(), "started stays started");
    }
}
