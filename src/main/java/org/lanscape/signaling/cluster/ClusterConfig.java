package org.lanscape.signaling.cluster;

import com.github.f4b6a3.ulid.UlidCreator;
import io.lettuce.core.RedisURI;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.lanscape.signaling.config.ConfigReader;
import org.lanscape.signaling.config.InvalidConfigException;

import java.time.Duration;

/** {@code signaling.cluster.*} and {@code signaling.redis.*}. */
@ApplicationScoped
public class ClusterConfig {

    public enum Mode { NONE, REDIS }

    /**
     * One Redis; a master that Redis Sentinel watches and replaces (Lettuce finds the current one);
     * or a Redis Cluster, whose shards each own a part of the topics (sharded Pub/Sub).
     */
    public enum Topology { STANDALONE, SENTINEL, CLUSTER }

    @Inject
    Config config;

    private Mode mode;
    private String redisUrl;
    private Topology topology = Topology.STANDALONE;
    private String nodeId;
    private Duration nodeTtl;
    private Duration scanInterval;
    private Duration redisTimeout;
    private long inboundMaxBytes = autoInboundMaxBytes();

    public ClusterConfig() {
        // for CDI: init() reads the configuration
    }

    /** For tests: a node of a cluster through one Redis, with these settings. */
    public ClusterConfig(String redisUrl, String nodeId, Duration nodeTtl, Duration scanInterval, Duration redisTimeout) {
        this(redisUrl, Topology.STANDALONE, nodeId, nodeTtl, scanInterval, redisTimeout);
    }

    /** For tests: a node with this topology. */
    public ClusterConfig(String redisUrl, Topology topology, String nodeId, Duration nodeTtl, Duration scanInterval,
                         Duration redisTimeout) {
        this.mode = Mode.REDIS;
        this.topology = topology;
        this.redisUrl = redisUrl;
        this.nodeId = nodeId;
        this.nodeTtl = nodeTtl;
        this.scanInterval = scanInterval;
        this.redisTimeout = redisTimeout;
    }

    @PostConstruct
    void init() {
        ConfigReader read = new ConfigReader(config);
        mode = read.choice("signaling.cluster.mode", Mode.class);
        redisUrl = read.string("signaling.redis.url");
        topology = read.choice("signaling.redis.topology", Topology.class);
        if (mode == Mode.REDIS) {
            validateUrl();
        }
        nodeId = read.optional("signaling.cluster.node-id").orElse(UlidCreator.getUlid().toString());
        nodeTtl = read.duration("signaling.cluster.node-ttl", true);
        scanInterval = read.duration("signaling.cluster.scan-interval", true);
        redisTimeout = read.duration("signaling.redis.timeout", true);
        inboundMaxBytes = read.bytesOrAuto("signaling.cluster.inbound-max-bytes", 1 << 20, 1L << 40,
                autoInboundMaxBytes());
    }

    private static long autoInboundMaxBytes() {
        return Runtime.getRuntime().maxMemory() / 16;
    }

    /** The URL must match the topology: a mistake here would otherwise show only as a node that never gets ready. */
    private void validateUrl() {
        String[] urls = redisUrl.split(",");
        boolean sentinelUrl = redisUrl.startsWith("redis-sentinel://") || redisUrl.startsWith("rediss-sentinel://");
        switch (topology) {
            case SENTINEL -> {
                if (!sentinelUrl) {
                    throw new InvalidConfigException("signaling.redis.topology", "sentinel",
                            "needs signaling.redis.url=redis-sentinel://host:port[,host2:port]#master-name");
                }
            }
            case STANDALONE -> {
                if (sentinelUrl) {
                    throw new InvalidConfigException("signaling.redis.topology", "standalone",
                            "takes a redis:// or rediss:// URL; a redis-sentinel:// URL needs signaling.redis.topology=sentinel");
                }
                if (urls.length > 1) {
                    throw new InvalidConfigException("signaling.redis.topology", "standalone",
                            "takes one redis:// URL; a comma-separated list of seed nodes needs signaling.redis.topology=cluster");
                }
            }
            case CLUSTER -> {
                for (String url : urls) {
                    String u = url.trim();
                    if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
                        throw new InvalidConfigException("signaling.redis.url", "(not logged)",
                                "with signaling.redis.topology=cluster it is a comma-separated list of seed nodes,"
                                        + " each redis://host:port or rediss://host:port");
                    }
                }
            }
        }
        for (String url : urls) {
            try {
                RedisURI.create(url.trim());
            } catch (RuntimeException e) { // its message repeats the URL, password and all: neither is logged
                throw new InvalidConfigException("signaling.redis.url", "(not logged)",
                        "is not a Redis URL (redis://[:password@]host:port, rediss://, redis-sentinel://...#master)");
            }
        }
    }

    public Mode mode() {
        return mode;
    }

    public Topology topology() {
        return topology;
    }

    /**
     * redis://[:password@]host:port[/db] or rediss:// for TLS; with Sentinel
     * redis-sentinel://host:port[,host2:port]#master-name; with a Redis Cluster a comma-separated
     * list of seed nodes. Never logged: it may hold a password.
     */
    public String redisUrl() {
        return redisUrl;
    }

    public String nodeId() {
        return nodeId;
    }

    /** A node whose heartbeat is older than this is dead; its peers are removed. */
    public Duration nodeTtl() {
        return nodeTtl;
    }

    /** How often each node looks for dead nodes (and, on a Redis Cluster, refreshes its view of the slots). */
    public Duration scanInterval() {
        return scanInterval;
    }

    /** Longest wait for Redis on any path (a topic's first join, a resume claimed from another node, maintenance). */
    /** Messages from other nodes waiting for this node's workers, in bytes; past it they are shed (InboundDispatch). */
    public long inboundMaxBytes() {
        return inboundMaxBytes;
    }

    /** For tests: these settings with another inbound budget. */
    public ClusterConfig withInboundMaxBytes(long bytes) {
        ClusterConfig copy = new ClusterConfig(redisUrl, topology, nodeId, nodeTtl, scanInterval, redisTimeout);
        copy.inboundMaxBytes = bytes;
        return copy;
    }

    public Duration redisTimeout() {
        return redisTimeout;
    }
}
