package org.lanscape.signaling.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.lanscape.signaling.rest.RequestIds;

import java.util.List;

/** Carries the handshake's request id into the WebSocket session, for logs and traces. */
public class EndpointConfigurator extends ServerEndpointConfig.Configurator {

    static final String REQUEST_ID = "requestId";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        String id = RequestIds.current(); // set by RequestIdFilter on this thread
        if (id == null) {
            List<String> inbound = request.getHeaders().get(RequestIds.HEADER);
            id = RequestIds.accept(inbound == null || inbound.isEmpty() ? null : inbound.get(0));
        }
        config.getUserProperties().put(REQUEST_ID, id);
    }
}
