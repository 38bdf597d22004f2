package org.lanscape.signaling.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.lanscape.signaling.cluster.redis.RedisBus;

/** Makes the bus that {@code signaling.cluster.mode} asks for. */
@ApplicationScoped
public class ClusterBusProducer {

    @Produces
    @ApplicationScoped
    ClusterBus bus(ClusterConfig config, ClusterObserver observer) {
        return config.mode() == ClusterConfig.Mode.REDIS ? new RedisBus(config, observer)
                : new LocalBus(config.nodeId());
    }

    void dispose(@Disposes ClusterBus bus) {
        bus.stop();
    }
}
