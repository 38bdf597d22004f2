package org.lanscape.signaling.websocket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.limits.UserConnections;
import org.lanscape.signaling.telemetry.SignalingMetrics;
import org.lanscape.signaling.telemetry.SignalingTracing;
import org.lanscape.signaling.topic.TopicRegistry;

/**
 * What every connection's endpoint works with, looked up once for the application: the endpoint
 * itself is created per connection without CDI (a bean per connection showed in the profiles),
 * and it works with {@link #direct()}: the beans themselves, not their client proxies, which cost
 * a context lookup on every call of the per-message path.
 */
@ApplicationScoped
public class EndpointServices {

    @Inject
    TopicRegistry registry;
    @Inject
    SignalingConfig config;
    @Inject
    SignalingMetrics metrics;
    @Inject
    SignalingTracing tracing;
    @Inject
    SocketCloser closer;
    @Inject
    UserConnections users;

    protected EndpointServices() {
        // for CDI
    }

    private EndpointServices(TopicRegistry registry, SignalingConfig config, SignalingMetrics metrics,
                             SignalingTracing tracing, SocketCloser closer, UserConnections users) {
        this.users = users;
        this.registry = registry;
        this.config = config;
        this.metrics = metrics;
        this.tracing = tracing;
        this.closer = closer;
    }

    /** The same services, as the application-scoped instances behind their proxies. */
    EndpointServices direct() {
        return new EndpointServices(registry.target().get(), config, metrics.metricsTarget().get(), tracing.target().get(),
                closer, users);
    }

    TopicRegistry registry() {
        return registry;
    }

    SignalingConfig config() {
        return config;
    }

    SignalingMetrics metrics() {
        return metrics;
    }

    SignalingTracing tracing() {
        return tracing;
    }

    SocketCloser closer() {
        return closer;
    }

    UserConnections users() {
        return users;
    }
}
