package org.lanscape.signaling.websocket;

import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.Set;

/**
 * Registers {@code /ws/{topic}} with the container. The endpoint is programmatic, not annotated
 * as the design card has it, because only then does Liberty hold a frame to the session's buffer
 * size at the frame's header while delivering a message in its frames: an annotated endpoint that
 * takes a message in parts gets no size check at all, and one that takes whole messages gathers
 * every continuation frame first (256 MB of 60 KB frames, 2026-12-07). README.md, "Design".
 */
public class SignalingEndpoints implements ServerApplicationConfig {

    /** The subprotocol a client may name beside its token ({@code Sec-WebSocket-Protocol}). */
    public static final String SUBPROTOCOL = "lanscape-signaling";

    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
        return Set.of(ServerEndpointConfig.Builder.create(SignalingEndpoint.class, "/ws/{topic}")
                .configurator(new EndpointConfigurator())
                .subprotocols(List.of(SUBPROTOCOL))
                .build());
    }

    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
        return Set.of();
    }
}
