package org.lanscape.signaling.session;

/**
 * Who a connection authenticated as and until when: the subject of its token (null without auth)
 * and the moment the token stops being valid (epoch milliseconds, {@link Long#MAX_VALUE} without
 * one). A session resumes only for the same subject, and a connection is closed when its token
 * expires. {@code maxPeers}: the most peers its topic may hold when it joins (the configured limit,
 * or its token's if lower).
 */
public record Credentials(String subject, long expiresAtMillis, int maxPeers) {

    public static final Credentials NONE = new Credentials(null, Long.MAX_VALUE, Integer.MAX_VALUE);

    public Credentials(String subject, long expiresAtMillis) {
        this(subject, expiresAtMillis, Integer.MAX_VALUE);
    }

    /** True when a resume by these credentials may take over a session opened with {@code original}. */
    public boolean mayResume(Credentials original) {
        return java.util.Objects.equals(subject, original.subject());
    }

    public boolean expiredAt(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
