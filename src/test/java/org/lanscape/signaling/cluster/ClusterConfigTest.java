package org.lanscape.signaling.cluster;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.config.InvalidConfigException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** signaling.redis.topology and signaling.redis.url must agree, or the node refuses to start with a clear message. */
class ClusterConfigTest {

    private static ClusterConfig read(String topology, String url) {
        Map<String, String> values = new HashMap<>(Map.of("signaling.cluster.mode", "redis",
                "signaling.redis.topology", topology, "signaling.redis.url", url,
                "signaling.cluster.node-ttl", "6s", "signaling.cluster.scan-interval", "2s", "signaling.redis.timeout", "2s",
                "signaling.cluster.inbound-max-bytes", "auto"));
        ClusterConfig config = new ClusterConfig();
        config.config = new MapConfig(values);
        config.init();
        return config;
    }

    @Test
    void eachTopologyTakesItsOwnKindOfUrl() {
        assertEquals(ClusterConfig.Topology.STANDALONE, read("standalone", "redis://127.0.0.1:6379").topology());
        assertEquals(ClusterConfig.Topology.SENTINEL, read("sentinel", "redis-sentinel://127.0.0.1:26379#m").topology());
        assertEquals(ClusterConfig.Topology.CLUSTER,
                read("cluster", "redis://127.0.0.1:7000, rediss://127.0.0.1:7001").topology());
        assertEquals(ClusterConfig.Topology.CLUSTER, read("cluster", "redis://127.0.0.1:7000").topology());
    }

    @Test
    void aUrlOfAnotherTopologyIsRefusedWithWhatToSet() {
        assertMessage(() -> read("standalone", "redis://a:7000,redis://b:7001"), "needs signaling.redis.topology=cluster");
        assertMessage(() -> read("standalone", "redis-sentinel://a:26379#m"), "needs signaling.redis.topology=sentinel");
        assertMessage(() -> read("sentinel", "redis://a:6379"), "redis-sentinel://");
        assertMessage(() -> read("cluster", "redis-sentinel://a:26379#m"), "comma-separated list of seed nodes");
        assertMessage(() -> read("cluster", "redis://a:7000,b:7001"), "comma-separated list of seed nodes");
        assertMessage(() -> read("sharded", "redis://a:6379"), "signaling.redis.topology");
    }

    @Test
    void aClusterUrlIsNeverInTheMessage() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> read("cluster", "redis://:secret@a:7000,tcp://b:7001"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    /** A URL Lettuce cannot parse is refused at startup, and its password is in no message (Lettuce's own repeats the URL). */
    @Test
    void aMalformedUrlIsRefusedWithoutItsPassword() {
        for (String[] bad : new String[][] {{"standalone", "redis://:s3cret pass@a:6379"},
{"sentinel", "redis-sentinel://:s3cret@a:26379 x#m"},
                {"cluster", "redis://:s3cret@a:7000,redis://:s3cret@b:70 01"}}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> read(bad[0], bad[1]),
                    bad[0] + " " + bad[1]);
            assertTrue(e.getMessage().contains("signaling.redis.url"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
    }

    private static void assertMessage(Runnable read, String part) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, read::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** Just what ConfigReader asks of a Config. */
    private record MapConfig(Map<String, String> values) implements Config {
        @Override
        public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
            return Optional.ofNullable(values.get(name)).map(type::cast);
        }

        @Override
        public <T> T getValue(String name, Class<T> type) {
            return getOptionalValue(name, type).orElseThrow(() -> new NoSuchElementException(name));
        }

        @Override
        public ConfigValue getConfigValue(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterable<String> getPropertyNames() {
            return values.keySet();
        }

        @Override
        public Iterable<ConfigSource> getConfigSources() {
            return List.of();
        }

        @Override
        public <T> Optional<Converter<T>> getConverter(Class<T> type) {
            return Optional.empty();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new UnsupportedOperationException();
        }
    }
}
