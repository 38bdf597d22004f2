package org.lanscape.signaling.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.List;

/**
 * The server's tunables, read and checked once at startup through MP Config. Defaults live in
 * META-INF/microprofile-config.properties; each property can be set by its environment variable
 * (e.g. {@code signaling.queue.max-bytes} by {@code SIGNALING_QUEUE_MAX_BYTES}), a system property, or the
 * file named by {@code SIGNALING_CONFIG_FILE}. A bad value is an {@link InvalidConfigException}
 * whose message names the property and the value.
 */
@ApplicationScoped
public class SignalingConfig {

    private long queueMaxBytes;
    private long nodeQueueMaxBytes;
    private long sendWindow;
    private Duration relayWait;
    private Duration writeTimeout;
    private Duration pingInterval;
    private int maxMessageSize;
    private Duration drainTimeout;
    private int reconnectRate;
    private int heldWritersLimit;
    private boolean debugEnabled;
    private List<String> origins;
    private int topicMaxPeers;
    private int maxConnections;
    private int metadataMaxSize;
    private double rateLimit;
    private int rateBurst;
    private int rateCloseAfter;
    private Duration resumeGrace;
    private int resumeReplayBytes;

    protected SignalingConfig() {
        // for CDI proxies
    }

    @Inject
    public SignalingConfig(Config config) {
        ConfigReader read = new ConfigReader(config);
        this.queueMaxBytes = read.bytes("signaling.queue.max-bytes", 1024, 1L << 30);
        this.nodeQueueMaxBytes = read.bytesOrAuto("signaling.queue.node-max-bytes", 1 << 16, 1L << 40,
                Runtime.getRuntime().maxMemory() / 8);
        this.sendWindow = read.bytes("signaling.send.window", 16 << 10, 64L << 20);
        this.relayWait = read.duration("signaling.relay.wait", false);
        this.writeTimeout = read.duration("signaling.write.timeout", true);
        this.pingInterval = read.duration("signaling.ping.interval", true);
        this.maxMessageSize = read.integer("signaling.message.max-size", 256, 16 << 20);
        this.drainTimeout = read.duration("signaling.shutdown.drain-timeout", false);
        this.reconnectRate = read.integer("signaling.shutdown.reconnect-rate", 1, 1_000_000);
        this.heldWritersLimit = read.integer("signaling.write.held-limit", 1, 1_000_000);
        this.debugEnabled = read.bool("signaling.debug.enabled");
        this.origins = read.list("signaling.origins");
        this.topicMaxPeers = read.integer("signaling.topic.max-peers", 1, Integer.MAX_VALUE);
        this.maxConnections = read.integer("signaling.max-connections", 1, Integer.MAX_VALUE);
        this.metadataMaxSize = read.integer("signaling.metadata.max-size", 2, 1 << 20);
        this.rateLimit = read.integer("signaling.rate.limit", 1, 1_000_000);
        this.rateBurst = read.integer("signaling.rate.burst", 1, 1_000_000);
        this.rateCloseAfter = read.integer("signaling.rate.close-after", 1, 1_000_000);
        this.resumeGrace = read.duration("signaling.resume.grace", false);
        this.resumeReplayBytes = (int) read.bytes("signaling.resume.replay-size", 0, 16 << 20);
    }

    /**
     * For tests: the core settings, the rest at their defaults, except the send window: 1 GiB, so
     * that test clients need not answer pings (the window has tests of its own).
     */
    public SignalingConfig(long queueMaxBytes, Duration relayWait, Duration writeTimeout, Duration pingInterval,
                           int maxMessageSize) {
        this.queueMaxBytes = queueMaxBytes;
        this.nodeQueueMaxBytes = 64L << 20;
        this.sendWindow = 1L << 30;
        this.relayWait = relayWait;
        this.writeTimeout = writeTimeout;
        this.pingInterval = pingInterval;
        this.maxMessageSize = maxMessageSize;
        this.drainTimeout = Duration.ofSeconds(10);
        this.reconnectRate = 1000;
        this.heldWritersLimit = 1000;
        this.debugEnabled = true;
        this.origins = List.of("*");
        this.topicMaxPeers = 1000;
        this.maxConnections = 20000;
        this.metadataMaxSize = 4096;
        this.rateLimit = 200;
        this.rateBurst = 4000;
        this.rateCloseAfter = 200;
        this.resumeGrace = Duration.ZERO;
        this.resumeReplayBytes = 32768;
    }

    /** For tests: capacity limits set. */
    public SignalingConfig withLimits(int topicMaxPeers, int maxConnections) {
        SignalingConfig copy = new SignalingConfig(queueMaxBytes, relayWait, writeTimeout, pingInterval, maxMessageSize);
        copy.topicMaxPeers = topicMaxPeers;
        copy.maxConnections = maxConnections;
        copy.sendWindow = sendWindow;
        return copy;
    }

    /** For tests: that send window (bytes a client must confirm by answering a ping). */
    public SignalingConfig withSendWindow(long bytes) {
        SignalingConfig copy = withResume(resumeGrace);
        copy.sendWindow = bytes;
        return copy;
    }

    /** For tests: the node's cap on queued relays. */
    public SignalingConfig withNodeQueueMaxBytes(long bytes) {
        SignalingConfig copy = withResume(resumeGrace);
        copy.nodeQueueMaxBytes = bytes;
        return copy;
    }

    /** For tests: session resume on, with that grace period. */
    public SignalingConfig withResume(Duration grace) {
        SignalingConfig copy = new SignalingConfig(queueMaxBytes, relayWait, writeTimeout, pingInterval, maxMessageSize);
        copy.topicMaxPeers = topicMaxPeers;
        copy.maxConnections = maxConnections;
        copy.sendWindow = sendWindow;
        copy.resumeGrace = grace;
        return copy;
    }

    /** How long a peer whose connection was lost keeps its id for a resume; 0 turns resume off. */
    public Duration resumeGrace() {
        return resumeGrace;
    }

    /**
     * How much of the relays sent lately to each peer is kept (characters), so that a resume that
     * says how many frames it received gets again those its lost connection swallowed; 0: none.
     */
    public int resumeReplayBytes() {
        return resumeReplayBytes;
    }

    /** Bytes (UTF-8, on the wire) one peer's outbound queue may hold, including the frame in flight. */
    public long queueMaxBytes() {
        return queueMaxBytes;
    }

    /**
     * Bytes written to a connection that its client has not yet confirmed reading (by answering a
     * ping); frames beyond it wait. Below the socket's send buffer, so that no write waits.
     */
    public long sendWindow() {
        return sendWindow;
    }

    /** Bytes all outbound queues of this node may hold together; a relay past it is dropped. */
    public long nodeQueueMaxBytes() {
        return nodeQueueMaxBytes;
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

    /**
     * Resumes per second a stopping node's clients may bring to the other nodes: the 1012 close
     * reason asks each client to come back at a random moment within (sessions / this rate).
     */
    public int reconnectRate() {
        return reconnectRate;
    }

    /** Writer threads held in writes that never return, past which liveness says DOWN (a restart frees them). */
    public int heldWritersLimit() {
        return heldWritersLimit;
    }

    /** Whether GET /debug/stats answers. */
    public boolean debugEnabled() {
        return debugEnabled;
    }

    /** Browser origins allowed to connect; {@code *} for all. */
    public List<String> origins() {
        return origins;
    }

    /** Peers one topic may hold on this node. */
    public int topicMaxPeers() {
        return topicMaxPeers;
    }

    /** WebSocket connections this node accepts. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Largest metadata query parameter, in UTF-8 bytes. */
    public int metadataMaxSize() {
        return metadataMaxSize;
    }

    /** Messages a connection may send per second, on average. */
    public double rateLimit() {
        return rateLimit;
    }

    /** Messages a connection may send at once after a quiet spell. */
    public int rateBurst() {
        return rateBurst;
    }

    /** Messages refused in a row after which a flooding connection is closed with 1008. */
    public int rateCloseAfter() {
        return rateCloseAfter;
    }
}
