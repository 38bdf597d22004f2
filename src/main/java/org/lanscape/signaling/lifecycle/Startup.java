package org.lanscape.signaling.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.lanscape.signaling.auth.AuthConfig;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.session.PeerWatchdog;
import org.lanscape.signaling.topic.TopicRegistry;
import org.lanscape.signaling.websocket.OriginPolicy;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs once when the application starts: checks the configuration (a bad value stops the
 * application, with one line naming it), starts the peer watchdog and the shutdown hook, and
 * only then declares the server ready.
 */
@ApplicationScoped
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class.getName());

    @Inject
    SignalingConfig config;
    @Inject
    PeerWatchdog watchdog;
    @Inject
    GracefulShutdown shutdown;
    @Inject
    ServerLifecycle lifecycle;
    @Inject
    AuthConfig auth;
    @Inject
    ClusterBus bus;
    @Inject
    org.lanscape.signaling.cluster.ClusterConfig cluster;
    @Inject
    org.lanscape.signaling.turn.TurnConfig turn;
    @Inject
    TopicRegistry registry;
    @Inject
    org.lanscape.signaling.telemetry.SignalingMetrics metrics;

    void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        try {
            config.queueMaxBytes(); // constructs and checks the configuration
            auth.mode();
            turn.enabled();
            cluster.mode();
        } catch (RuntimeException e) {
            LOG.severe(rootMessage(e));
            throw e;
        }
        if (new OriginPolicy(config.origins()).allowsAll()) {
            LOG.warning("signaling.origins allows every browser origin: set it to your sites' origins in production");
        }
        if (org.eclipse.microprofile.config.ConfigProvider.getConfig().getOptionalValue("signaling.queue.size", String.class)
                .isPresent()) {
            LOG.warning("signaling.queue.size is no longer used: queues are bounded in bytes (signaling.queue.max-bytes)");
        }
        LOG.info("authentication: " + auth.mode().name().toLowerCase(java.util.Locale.ROOT));
        metrics.registerAll();
        bus.start(registry.busListener());
        watchdog.start();
        shutdown.install();
        lifecycle.ready();
        LOG.log(Level.INFO, "lanscape-signaling ready: queueMaxBytes={0} nodeQueueMaxBytes={1} relayWait={2}"
                        + " writeTimeout={3} pingInterval={4} maxMessageSize={5}",
                new Object[] {String.valueOf(config.queueMaxBytes()), String.valueOf(config.nodeQueueMaxBytes()),
                        config.relayWait(), config.writeTimeout(), config.pingInterval(), config.maxMessageSize()});
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && !(t.getMessage() != null && t.getMessage().startsWith("Invalid configuration"))) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
