package org.lanscape.signaling.websocket;

import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.lanscape.signaling.lifecycle.ServerLifecycle;
import org.lanscape.signaling.rest.JsonErrors;
import org.lanscape.signaling.telemetry.SignalingMetrics;

import java.io.IOException;

/**
 * Checks a WebSocket handshake on /ws/* before the upgrade, where a refusal can still be an HTTP
 * status with the JSON error body: during shutdown new connections get 503 with Retry-After.
 * Mapped in web.xml, after the request id filter.
 */
public class HandshakeFilter implements Filter {

    @Inject
    ServerLifecycle lifecycle;
    @Inject
    SignalingMetrics metrics;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!lifecycle.isReady()) {
            metrics.handshakeRejected("not_ready");
            response.setHeader("Retry-After", "5");
            JsonErrors.write(request, response, 503, "unavailable",
                    lifecycle.isDraining() ? "the server is shutting down" : "the server is starting");
            return;
        }
        chain.doFilter(req, res);
    }
}
