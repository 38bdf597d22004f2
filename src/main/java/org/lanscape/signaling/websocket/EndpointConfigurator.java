package org.lanscape.signaling.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.lanscape.signaling.rest.RequestIds;

import java.util.List;

/**
 * Carries what the handshake checks found (request id, metadata) into the WebSocket session's
 * user properties, which the container copies per connection.
 */
public class EndpointConfigurator extends ServerEndpointConfig.Configurator {

    static final String CONTEXT = "org.lanscape.signaling.handshake";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        HandshakeContext context = HandshakeContext.current(); // set by HandshakeFilter on this thread
        if (context == null || context.requestId() == null) {
            List<String> inbound = request.getHeaders().get(RequestIds.HEADER);
            String id = RequestIds.accept(inbound == null || inbound.isEmpty() ? null : inbound.get(0));
            context = new HandshakeContext(id, context == null ? null : context.metadata());
        }
        config.getUserProperties().put(CONTEXT, context);
    }
}
