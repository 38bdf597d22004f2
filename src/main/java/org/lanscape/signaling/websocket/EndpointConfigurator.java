package org.lanscape.signaling.websocket;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.lanscape.signaling.rest.RequestIds;

import java.util.List;

/**
 * Carries what the handshake checks found (request id, metadata, the token's subject and expiry)
 * into the WebSocket session's user properties, which the container copies per connection, and
 * makes each connection's {@link SignalingEndpoint} with the application's services.
 */
public class EndpointConfigurator extends ServerEndpointConfig.Configurator {

    static final String CONTEXT = "org.lanscape.signaling.handshake";

    private volatile EndpointServices services;

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        HandshakeContext context = HandshakeContext.current(); // set by HandshakeFilter on this thread
        if (context == null || context.requestId() == null) {
            List<String> inbound = request.getHeaders().get(RequestIds.HEADER);
            String id = RequestIds.accept(inbound == null || inbound.isEmpty() ? null : inbound.get(0));
            context = context == null ? HandshakeContext.unchecked(id) : context.withRequestId(id);
        }
        config.getUserProperties().put(CONTEXT, context);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> type) {
        EndpointServices s = services;
        if (s == null) {
            s = CDI.current().select(EndpointServices.class).get().direct();
            services = s;
        }
        return type.cast(new SignalingEndpoint(s));
    }
}
