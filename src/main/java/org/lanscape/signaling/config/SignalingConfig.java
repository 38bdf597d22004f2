package org.lanscape.signaling.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * The server's tunables, read once at startup through MP Config. Defaults live in
 * META-INF/microprofile-config.properties; each property can be set by its environment variable
 * (e.g. {@code signaling.queue.size} by {@code SIGNALING_QUEUE_SIZE}).
 */
@ApplicationScoped
public class SignalingConfig {

    private int queueSize;
    private Duration relayWait;
    private Duration writeTimeout;
    private Duration pingInterval;
    private int maxMessageSize;

    protected SignalingConfig() {
        // for CDI proxies
    }

    @Inject
    public SignalingConfig(@ConfigProperty(name = "signaling.queue.size") int queueSize,
                           @ConfigProperty(name = "signaling.relay.wait") Duration relayWait,
                           @ConfigProperty(name = "signaling.write.timeout") Duration writeTimeout,
                           @ConfigProperty(name = "signaling.ping.interval") Duration pingInterval,
                           @ConfigProperty(name = "signaling.message.max-size") int maxMessageSize) {
        this.queueSize = atLeast("signaling.queue.size", queueSize, 1);
        this.relayWait = notNegative("signaling.relay.wait", relayWait);
        this.writeTimeout = positive("signaling.write.timeout", writeTimeout);
        this.pingInterval = positive("signaling.ping.interval", pingInterval);
        this.maxMessageSize = atLeast("signaling.message.max-size", maxMessageSize, 256);
    }

    /** Outbound queue capacity per peer, in messages (the seed's 16). */
    public int queueSize() {
        return queueSize;
    }

    /** How long a relay waits for room in the target's full queue before the sender gets {@code dropped}. */
    public Duration relayWait() {
        return relayWait;
    }

    /** A send that has not completed after this long closes that peer. */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** The server pings every interval; a peer silent for two intervals is closed. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Largest text message accepted, in bytes; a larger one closes the connection with 1009. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    private static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw invalid(name, value, "must be at least " + min);
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw invalid(name, value, "must be a positive duration");
        }
        return value;
    }

    private static Duration notNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw invalid(name, value, "must not be negative");
        }
        return value;
    }

    private static IllegalArgumentException invalid(String name, Object value, String rule) {
        return new IllegalArgumentException("Invalid configuration: " + name + "=" + value + " " + rule);
    }
}
