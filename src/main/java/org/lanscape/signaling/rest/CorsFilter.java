package org.lanscape.signaling.rest;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.websocket.OriginPolicy;

import java.io.IOException;
import java.util.List;

/**
 * Cross-origin reads for the pages of the origins {@code signaling.origins} allows: an application
 * served from elsewhere than this server loads the client library ({@code /client/}), its TURN
 * credentials ({@code /turn/credentials}, with an {@code Authorization} header, so after a
 * preflight) and the client's probe of a refused handshake ({@code /ws/}). A preflight from an
 * allowed origin is answered here with 204; one from another origin with 403; the other requests
 * of an allowed origin get {@code Access-Control-Allow-Origin} with that origin, never credentials
 * (no cookie is read anywhere). Mapped in web.xml after the request id, before the handshake checks.
 */
public class CorsFilter implements Filter {

    private static final List<String> PATHS = List.of("/client/", "/turn/", "/ws/");

    @Inject
    SignalingConfig config;

    private OriginPolicy origins;

    @PostConstruct
    void init() {
        origins = new OriginPolicy(config.origins());
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String origin = request.getHeader("Origin");
        if (origin == null || !covered(request)) {
            chain.doFilter(req, res);
            return;
        }
        boolean preflight = "OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null;
        response.addHeader("Vary", "Origin");
        if (!origins.allows(origin)) {
            if (preflight) {
                JsonErrors.write(request, response, 403, "origin_not_allowed", "this origin may not read from this server");
            } else {
                chain.doFilter(req, res); // without the header: the browser keeps the answer from the page
            }
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", origin);
        if (preflight) {
            response.setHeader("Access-Control-Allow-Methods", "GET");
            response.setHeader("Access-Control-Allow-Headers", "Authorization, X-Request-ID");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(204);
            return;
        }
        response.setHeader("Access-Control-Expose-Headers", "Retry-After, X-Request-ID");
        chain.doFilter(req, res);
    }

    private static boolean covered(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (String prefix : PATHS) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
