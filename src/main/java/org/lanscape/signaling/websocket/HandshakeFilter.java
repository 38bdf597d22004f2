package org.lanscape.signaling.websocket;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.lanscape.signaling.auth.AuthConfig;
import org.lanscape.signaling.auth.AuthException;
import org.lanscape.signaling.auth.AuthMode;
import org.lanscape.signaling.auth.BearerToken;
import org.lanscape.signaling.auth.Grant;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.lifecycle.ServerLifecycle;
import org.lanscape.signaling.limits.AddressRate;
import org.lanscape.signaling.limits.UserConnections;
import org.lanscape.signaling.rest.JsonErrors;
import org.lanscape.signaling.rest.RequestIds;
import org.lanscape.signaling.telemetry.LogThrottle;
import org.lanscape.signaling.telemetry.QueryRedaction;
import org.lanscape.signaling.telemetry.SignalingMetrics;
import org.lanscape.signaling.topic.TopicRegistry;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks a WebSocket handshake on /ws/* before the upgrade, where a refusal can still be an HTTP
 * status with the JSON error body, in this order: the server is ready (503), the client address's
 * handshake rate (429), the topic name (400), the browser origin (403), the token when auth is on
 * (401, or 403 for a topic it does not grant), the metadata (400), room in the topic (409), the
 * token subject's connections (429) and room on the node (503 with Retry-After). Each refusal is
 * counted by reason. Mapped in web.xml to every path, after the request id filter: a runtime may
 * route a WebSocket upgrade whose path it normalizes away from /ws/* (Payara upgrades
 * {@code /ws/%2e%2e}) to the endpoint all the same, so every upgrade request is checked here, and
 * every request whose path is under /ws/.
 */
public class HandshakeFilter implements Filter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());
    private static final String WS_PREFIX = "/ws/";
    /** The subprotocol entry that carries a resume token, out of the URL: "resume.&lt;token&gt;". */
    static final String RESUME_PREFIX = "resume.";

    @Inject
    ServerLifecycle lifecycle;
    @Inject
    SignalingMetrics metrics;
    @Inject
    SignalingConfig config;
    @Inject
    AuthConfig auth;
    @Inject
    TopicRegistry registry;
    @Inject
    AddressRate addresses;
    @Inject
    UserConnections users;

    private OriginPolicy origins;

    @PostConstruct
    void init() {
        origins = new OriginPolicy(config.origins());
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!isHandshake(request)) {
            chain.doFilter(QueryRedaction.redacted(request), res);
            return;
        }
        if (!lifecycle.isReady()) {
            response.setHeader("Retry-After", "5");
            refuse(request, response, 503, "unavailable", "not_ready",
                    lifecycle.isDraining() ? "the server is shutting down" : "the server is starting");
            return;
        }
        if (!addresses.tryTake(addresses.clientOf(request.getRemoteAddr(), request.getHeader("X-Forwarded-For")))) {
            response.setHeader("Retry-After", "1");
            refuse(request, response, 429, "rate_limited", "rate_limited", "too many connections from this address just now");
            return;
        }
        String uri = request.getRequestURI();
        int at = uri.indexOf(WS_PREFIX, request.getContextPath().length());
        String topic = at < 0 ? "" : uri.substring(at + WS_PREFIX.length());
        if (!TopicNames.isValid(topic)) {
            refuse(request, response, 400, "invalid_topic", "invalid_topic",
                    "a topic is 1-" + TopicNames.MAX_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -");
            return;
        }
        if (!origins.allows(request.getHeader("Origin"))) {
            refuse(request, response, 403, "origin_not_allowed", "origin_not_allowed", "this origin may not connect");
            return;
        }
        Grant grant = Grant.ANONYMOUS;
        if (auth.mode() == AuthMode.JWT) {
            try {
                grant = auth.verifier().verify(BearerToken.of(request));
            } catch (AuthException e) {
                response.setHeader("WWW-Authenticate", "Bearer");
                refuse(request, response, e.status(), e.code(), e.code(), e.getMessage());
                return;
            }
            if (!grant.allows(topic)) {
                refuse(request, response, 403, "topic_forbidden", "topic_forbidden", "the token does not grant this topic");
                return;
            }
        }
        JsonObject metadata = grant.metadata();
        String param = request.getParameter("metadata");
        if (metadata == null && param != null) {
            try {
                metadata = PeerMetadata.parse(param, config.metadataMaxSize());
            } catch (IllegalArgumentException e) {
                refuse(request, response, 400, "invalid_metadata", "invalid_metadata", e.getMessage());
                return;
            }
        }
        String resumeToken = request.getParameter("resume");
        if (resumeToken == null) {
            resumeToken = BearerToken.subprotocolEntry(request.getHeader("Sec-WebSocket-Protocol"), RESUME_PREFIX);
        }
        boolean resuming = resumeToken != null; // its peer is in the topic already; the join checks if it fails
        int maxPeers = grant.maxPeers(config.topicMaxPeers());
        if (!resuming && registry.topics().size(topic) >= maxPeers) {
            refuse(request, response, 409, "topic_full", "topic_full", "the topic has its maximum number of peers");
            return;
        }
        if (users.full(grant.subject())) {
            refuse(request, response, 429, "user_limit", "user_limit", "the token's subject has its maximum number of connections");
            return;
        }
        // a session held here keeps its place; one from another node takes one, as a join does
        if ((!resuming || registry.resumes().takesPlace(resumeToken)) && registry.topics().peerCount() >= config.maxConnections()) {
            response.setHeader("Retry-After", "10");
            refuse(request, response, 503, "server_full", "node_full", "the server has its maximum number of connections");
            return;
        }
        if (!isUpgrade(request)) {
            // A plain GET of a handshake's URL (the client library's probe after a refused upgrade,
            // which a browser reports only as 1006): every check passed, so an upgrade would be taken.
            response.setHeader("Upgrade", "websocket");
            JsonErrors.write(request, response, 426, "upgrade_required", "connect with a WebSocket upgrade");
            return;
        }
        HandshakeContext.set(new HandshakeContext(RequestIds.current(), metadata, grant.subject(), grant.validUntilMillis(),
                maxPeers, resumeToken, true));
        try {
            chain.doFilter(QueryRedaction.redacted(request), res);
        } finally {
            HandshakeContext.clear();
        }
    }

    /** An upgrade to WebSocket on any path, or any request for a path under /ws/. */
    static boolean isHandshake(HttpServletRequest request) {
        if (isUpgrade(request)) {
            return true;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.startsWith(WS_PREFIX) || request.getRequestURI().startsWith(request.getContextPath() + WS_PREFIX);
    }

    private static boolean isUpgrade(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("websocket");
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String code,
                        String reason, String message) throws IOException {
        metrics.handshakeRejected(reason);
        // A bad token or bad metadata gets one line an operator sees; the rest (capacity, origin, topic
        // names, storms of them) only the metric.
        Level level = reason.equals("invalid_metadata") || reason.equals("invalid_token") ? Level.INFO : Level.FINE;
        LogThrottle.SHARED.log(LOG, level, "handshake-" + reason,
                () -> "handshake refused: reason=" + reason + " status=" + status + " (" + message + ") requestId="
                + request.getAttribute(RequestIds.ATTRIBUTE));
        JsonErrors.write(request, response, status, code, message);
    }
}
