package org.lanscape.signaling.websocket;

import jakarta.json.JsonObject;

/**
 * What the handshake checks found out about a connection (its request id, its metadata, and the
 * subject and expiry of its token when auth is on), handed from {@link HandshakeFilter} to
 * {@link EndpointConfigurator} on the request's thread, and from there into the WebSocket
 * session's user properties. {@code expiresAtMillis} is {@link Long#MAX_VALUE} without a token;
 * {@code resumeToken} is the one the connection asks to resume with, from the query or the
 * subprotocol list, or null. {@code checked} is false for an upgrade the handshake checks never
 * saw (a runtime that upgraded it before its filters): the endpoint refuses it, whatever the auth mode.
 */
record HandshakeContext(String requestId, JsonObject metadata, String subject, long expiresAtMillis,
                        int maxPeers, String resumeToken, boolean checked) {

    private static final ThreadLocal<HandshakeContext> CURRENT = new ThreadLocal<>();

    /** An upgrade that no handshake check saw. */
    static HandshakeContext unchecked(String requestId) {
        return new HandshakeContext(requestId, null, null, Long.MAX_VALUE, Integer.MAX_VALUE, null, false);
    }

    HandshakeContext withRequestId(String id) {
        return new HandshakeContext(id, metadata, subject, expiresAtMillis, maxPeers, resumeToken, checked);
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
