package org.lanscape.signaling.auth;

import jakarta.json.JsonObject;

import java.util.List;

/**
 * What a verified token allows: the topics it may join ({@code null} for any; an entry ending in
 * {@code *} is a prefix), the metadata it supplies for the peer (null for none), and until when
 * (epoch milliseconds, its expiry plus the allowed clock skew; {@link Long#MAX_VALUE} without a
 * token); {@code admin}: it may read {@code /debug/stats}; {@code maxPeers}: the most peers the
 * topic may hold when this token joins it, across the cluster (0: only the configured limit).
 */
public record Grant(String subject, List<String> topics, JsonObject metadata, long validUntilMillis, boolean admin,
                    int maxPeers) {

    public static final Grant ANONYMOUS = new Grant(null, null, null, Long.MAX_VALUE, false, 0);

    /** The limit on the topic's peers for this join: the configured one, or the token's if lower. */
    public int maxPeers(int configured) {
        return maxPeers > 0 ? Math.min(maxPeers, configured) : configured;
    }

    public boolean allows(String topic) {
        if (topics == null) {
            return true;
        }
        for (String allowed : topics) {
            if (allowed.endsWith("*") ? topic.startsWith(allowed.substring(0, allowed.length() - 1))
                    : allowed.equals(topic)) {
                return true;
            }
        }
        return false;
    }
}
