package org.lanscape.signaling.websocket;

import jakarta.json.JsonObject;

/**
 * What the handshake checks found out about a connection (its request id, its metadata, and the
 * subject and expiry of its token when auth is on), handed from {@link HandshakeFilter} to
 * {@link EndpointConfigurator} on the request's thread, and from there into the WebSocket
 * session's user properties. {@code expiresAtMillis} is {@link Long#MAX_VALUE} without a token;
 * {@code resumeToken} is the one the connection asks to resume with, from the query or the
 * subprotocol list, or null.
 */
record HandshakeContext(String requestId, JsonObject metadata, String subject, long expiresAtMillis,
                        String resumeToken) {

    private static final ThreadLocal<HandshakeContext> CURRENT = new ThreadLocal<>();

    static HandshakeContext anonymous(String requestId) {
        return new HandshakeContext(requestId, null, null, Long.MAX_VALUE, null);
    }

    HandshakeContext withRequestId(String id) {
        return new HandshakeContext(id, metadata, subject, expiresAtMillis, resumeToken);
    }

    static HandshakeContext current() {
        return CURRENT.get();
    }

    static void set(HandshakeContext context) {
        CURRENT.set(context);
    }

    static void clear() {
        CURRENT.remove();
    }
}
