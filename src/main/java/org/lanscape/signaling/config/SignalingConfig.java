package org.lanscape.signaling.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;

/**
 * The server's tunables, read and checked once at startup through MP Config. Defaults live in
 * META-INF/microprofile-config.properties; each property can be set by its environment variable
 * (e.g. {@code signaling.queue.size} by {@code SIGNALING_QUEUE_SIZE}), a system property, or the
 * file named by {@code SIGNALING_CONFIG_FILE}. A bad value is an {@link InvalidConfigException}
 * whose message names the property and the value.
 */
@ApplicationScoped
public class SignalingConfig {

    private int queueSize;
    private Duration relayWait;
    private Duration writeTimeout;
    private Duration pingInterval;
    private int maxMessageSize;
    private Duration drainTimeout;
    private boolean debugEnabled;

    protected SignalingConfig() {
        // for CDI proxies
    }

    @Inject
    public SignalingConfig(Config config) {
        ConfigReader read = new ConfigReader(config);
        this.queueSize = read.integer("signaling.queue.size", 1, 1 << 20);
        this.relayWait = read.duration("signaling.relay.wait", false);
        this.writeTimeout = read.duration("signaling.write.timeout", true);
        this.pingInterval = read.duration("signaling.ping.interval", true);
        this.maxMessageSize = read.integer("signaling.message.max-size", 256, 16 << 20);
        this.drainTimeout = read.duration("signaling.shutdown.drain-timeout", false);
        this.debugEnabled = read.bool("signaling.debug.enabled");
    }

    /** For tests: the core settings, the rest at their defaults. */
    public SignalingConfig(int queueSize, Duration relayWait, Duration writeTimeout, Duration pingInterval,
                           int maxMessageSize) {
        this.queueSize = queueSize;
        this.relayWait = relayWait;
        this.writeTimeout = writeTimeout;
        this.pingInterval = pingInterval;
        this.maxMessageSize = maxMessageSize;
        this.drainTimeout = Duration.ofSeconds(10);
        this.debugEnabled = true;
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

    /** Largest text message accepted; a larger one closes the connection with 1009. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** On shutdown, how long queued messages may take to flush before every peer is closed. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** Whether GET /debug/stats answers. */
    public boolean debugEnabled() {
        return debugEnabled;
    }
}
