package org.lanscape.signaling.rest;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * First on every request, WebSocket handshakes included: gives the request its id (the inbound
 * X-Request-ID when valid, otherwise a new ULID) and returns it in the response header. Exceptions
 * go on to the container, which hands them to {@link ErrorServlet} (the error page). Mapped in
 * web.xml, ahead of the handshake checks.
 */
public class RequestIdFilter implements Filter {

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String id = RequestIds.accept(request.getHeader(RequestIds.HEADER));
        request.setAttribute(RequestIds.ATTRIBUTE, id);
        response.setHeader(RequestIds.HEADER, id);
        RequestIds.set(id);
        try {
            chain.doFilter(request, response);
        } finally {
            RequestIds.clear();
        }
    }
}
