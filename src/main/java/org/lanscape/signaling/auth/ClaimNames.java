package org.lanscape.signaling.auth;

/**
 * The claims a token's grant is read from: the topics it may join, the peer's metadata, and the
 * flag that lets it read {@code /debug/stats}, and the most peers the token allows in its topic.
 */
public record ClaimNames(String topics, String metadata, String admin, String maxPeers) {

    public static final ClaimNames DEFAULT = new ClaimNames("topics", "metadata", "admin", "max_peers");
}
