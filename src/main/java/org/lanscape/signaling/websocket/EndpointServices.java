package org.lanscape.signaling.websocket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.telemetry.SignalingMetrics;
import org.lanscape.signaling.telemetry.SignalingTracing;
import org.lanscape.signaling.topic.TopicRegistry;

/**
 * What every connection's endpoint works with, looked up once for the application: the endpoint
 * itself is created per connection without CDI (a bean per connection showed in the profiles).
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
}
