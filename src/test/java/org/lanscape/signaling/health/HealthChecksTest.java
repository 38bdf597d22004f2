package org.lanscape.signaling.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.cluster.LocalBus;
import org.lanscape.signaling.lifecycle.ServerLifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HealthChecksTest {

    @Test
    void readinessIsDownWhileStartingUpWhenReadyAndDownOnceDraining() {
        ServerLifecycle lifecycle = new ServerLifecycle();
        ReadinessCheck readiness = new ReadinessCheck();
        readiness.lifecycle = lifecycle;
        readiness.bus = new LocalBus("n1");
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

    /** A Redis outage keeps the node in the load balancer (it serves its own peers): the data says Redis is away. */
    @Test
    void readinessStaysUpWhileTheClusterBackendIsUnreachableAndSaysSo() {
        ServerLifecycle lifecycle = new ServerLifecycle();
        lifecycle.ready();
        boolean[] reachable = {true};
        ReadinessCheck readiness = new ReadinessCheck();
        readiness.lifecycle = lifecycle;
        readiness.bus = (ClusterBus) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ClusterBus.class}, (proxy, method, args) ->
                        method.getName().equals("healthy") ? reachable[0] : null);
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        assertEquals(true, readiness.call().getData().orElseThrow().get("cluster"));
        reachable[0] = false;
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().getStatus());
        assertEquals(false, readiness.call().getData().orElseThrow().get("cluster"));
    }
}
