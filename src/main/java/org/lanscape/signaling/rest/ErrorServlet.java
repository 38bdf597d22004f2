package org.lanscape.signaling.rest;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The error page (web.xml): every error the container ends up with (404 for an unknown path, 405,
 * an exception thrown anywhere) answers in the application's JSON shape. An exception is logged
 * with its stack trace and the request id, and becomes a 500 that tells the client nothing more.
 */
public class ErrorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ErrorServlet.class.getName());

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Object id = request.getAttribute(RequestIds.ATTRIBUTE);
        int status = code instanceof Integer i ? i : 500;
        if (exception instanceof Throwable t && status >= 500) {
            LOG.log(Level.SEVERE, "request failed: requestId=" + id + " " + request.getMethod() + " "
                    + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), t);
        }
        if (id != null) {
            response.setHeader(RequestIds.HEADER, id.toString());
        }
        String message = status == 404 ? "no such resource: " + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)
                : status >= 500 ? "internal server error" : "request refused";
        JsonErrors.write(request, response, status, JsonErrors.codeFor(status), message);
    }
}
