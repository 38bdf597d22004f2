package org.lanscape.signaling.health;

import jakarta.inject.Inject;
import org.lanscape.signaling.lifecycle.GracefulShutdown;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The seed's {@code GET /healthz}: 200 while the application is up.
 * <p>
 * It is loaded at startup for a second job: a runtime that stops the application while the
 * shutdown drain still runs (Payara's own shutdown hook runs beside ours, and stops the WebSocket
 * container, which drops its connections) destroys servlets first, so {@link #destroy} holds the
 * stop until the drain is done.
 */
@WebServlet(urlPatterns = "/healthz", loadOnStartup = 1)
public class HealthzServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    transient GracefulShutdown shutdown;

    @Override
    public void destroy() {
        shutdown.awaitDrained();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
    }
}
