package org.lanscape.signaling.rest;

import jakarta.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one shape of every HTTP error the application answers:
 * <pre>{"error":{"code":"not_found","message":"...","requestId":"01J5..."}}</pre>
 */
public final class JsonErrors {

    private JsonErrors() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String code,
                             String message) throws IOException {
        Object id = request.getAttribute(RequestIds.ATTRIBUTE);
        String body = Json.createObjectBuilder().add("error", Json.createObjectBuilder()
                .add("code", code)
                .add("message", message)
                .add("requestId", id == null ? "" : id.toString())).build().toString();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** A machine-readable code for an HTTP status the container produced. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 503 -> "unavailable";
            case 500 -> "internal_error";
            default -> "http_" + status;
        };
    }
}
