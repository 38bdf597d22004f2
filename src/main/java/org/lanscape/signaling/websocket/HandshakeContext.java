package org.lanscape.signaling.websocket;

import jakarta.json.JsonObject;

/**
 * What the handshake checks found out about a connection (its request id and its metadata),
 * handed from {@link HandshakeFilter} to {@link EndpointConfigurator} on the request's thread,
 * and from there into the WebSocket session's user properties.
 */
record HandshakeContext(String requestId, JsonObject metadata) {

    private static final ThreadLocal<HandshakeContext> CURRENT = new ThreadLocal<>();

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
