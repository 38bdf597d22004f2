package org.lanscape.signaling.auth;

/**
 * The claims a token's grant is read from: the topics it may join, the peer's metadata, and the
 * flag that lets it read {@code /debug/stats}.
 */
public record ClaimNames(String topics, String metadata, String admin) {

    public static final ClaimNames DEFAULT = new ClaimNames("topics", "metadata", "admin");
}
