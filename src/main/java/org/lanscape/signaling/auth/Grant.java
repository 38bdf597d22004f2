package org.lanscape.signaling.auth;

import jakarta.json.JsonObject;

import java.util.List;

/**
 * What a verified token allows: the topics it may join ({@code null} for any; an entry ending in
 * {@code *} is a prefix), the metadata it supplies for the peer (null for none), and until when
 * (epoch milliseconds, its expiry plus the allowed clock skew; {@link Long#MAX_VALUE} without a
 * token); {@code admin}: it may read {@code /debug/stats}.
 */
public record Grant(String subject, List<String> topics, JsonObject metadata, long validUntilMillis, boolean admin) {

    public static final Grant ANONYMOUS = new Grant(null, null, null, Long.MAX_VALUE, false);

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
