package org.lanscape.signaling.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upgrade that the handshake checks saw carries their verdict into the session; one they never
 * saw (a runtime that upgraded it before its filters) is marked unchecked, for the endpoint to
 * refuse: before, it was taken as anonymous, with JWT auth on too.
 */
class EndpointConfiguratorTest {

    @Test
    void anUpgradeNoCheckSawIsMarkedUnchecked() {
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(SignalingEndpoint.class, "/ws/{topic}")
                .configurator(new EndpointConfigurator()).build();
        new EndpointConfigurator().modifyHandshake(config, new Request(), new Response());
        HandshakeContext context = (HandshakeContext) config.getUserProperties().get(EndpointConfigurator.CONTEXT);
        assertFalse(context.checked());
    }

    @Test
    void anUpgradeTheChecksSawKeepsTheirVerdict() {
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(SignalingEndpoint.class, "/ws/{topic}")
                .configurator(new EndpointConfigurator()).build();
        HandshakeContext.set(new HandshakeContext("req-1", null, "alice", 1234, 10, null, true));
        try {
            new EndpointConfigurator().modifyHandshake(config, new Request(), new Response());
        } finally {
            HandshakeContext.clear();
        }
        HandshakeContext context = (HandshakeContext) config.getUserProperties().get(EndpointConfigurator.CONTEXT);
        assertTrue(context.checked());
        assertEquals("alice", context.subject());
        assertEquals("req-1", context.requestId());
    }

    /** A handshake request with no headers and no parameters. */
    private static final class Request implements HandshakeRequest {
        @Override
        public Map<String, List<String>> getHeaders() {
            return new HashMap<>();
        }

        @Override
        public Principal getUserPrincipal() {
            return null;
        }

        @Override
        public URI getRequestURI() {
            return URI.create("/ws/room");
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }

        @Override
        public Object getHttpSession() {
            return null;
        }

        @Override
        public Map<String, List<String>> getParameterMap() {
            return Map.of();
        }

        @Override
        public String getQueryString() {
            return null;
        }
    }

    private static final class Response implements HandshakeResponse {
        private final Map<String, List<String>> headers = new HashMap<>();

        @Override
        public Map<String, List<String>> getHeaders() {
            return headers;
        }
    }
}
