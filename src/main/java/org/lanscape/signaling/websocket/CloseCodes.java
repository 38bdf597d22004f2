package org.lanscape.signaling.websocket;

/** The close codes the server uses; docs/protocol.md documents them. */
public final class CloseCodes {
    /** The server is shutting down. */
    public static final int GOING_AWAY = 1001;
    /** The node is stopping and another node can take the session: resume at once (cluster mode, resumable peers). */
    public static final int SERVICE_RESTART = org.lanscape.signaling.lifecycle.GracefulShutdown.SERVICE_RESTART;
    /** A binary frame: the protocol is JSON text only. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** A client that kept sending past the rate limit (signaling.rate.close-after refusals in a row). */
    public static final int POLICY_VIOLATION = 1008;
    /** A text message larger than signaling.message.max-size. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The node reached signaling.max-connections between the handshake check and the join. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The topic reached signaling.topic.max-peers between the handshake check and the join. */
    public static final int TOPIC_FULL = 4409;
    /** The token's subject reached signaling.user.max-connections between the handshake check and the join. */
    public static final int USER_LIMIT = 4429;
    /** Nothing (no message, no pong) arrived for two ping intervals: see PeerWatchdog. */
    public static final int PING_TIMEOUT = org.lanscape.signaling.session.PeerWatchdog.PING_TIMEOUT;
    /** A send to this peer did not complete within signaling.write.timeout: see PeerWatchdog. */
    public static final int WRITE_TIMEOUT = org.lanscape.signaling.session.PeerWatchdog.WRITE_TIMEOUT;
    /** The peer had no room in its queue for an event it had to get: a slow consumer. */
    public static final int SLOW_CONSUMER = org.lanscape.signaling.session.Sessions.SLOW_CONSUMER;
    /** The token that let the connection in expired. */
    public static final int TOKEN_EXPIRED = org.lanscape.signaling.session.Sessions.TOKEN_EXPIRED;

    private CloseCodes() {
    }
}
