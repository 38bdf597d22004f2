package org.lanscape.signaling.auth;

import jakarta.servlet.http.HttpServletRequest;

/** Where a request carries its JWT: an Authorization: Bearer header, or (browsers' WebSockets) access_token. */
public final class BearerToken {

    private BearerToken() {
    }

    /** The token of the request; a 401 AuthException when it has none. */
    public static String of(HttpServletRequest request) throws AuthException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        String param = request.getParameter("access_token"); // browsers cannot set headers on WebSockets
        if (param != null && !param.isBlank()) {
            return param.trim();
        }
        throw new AuthException(401, "missing_token", "a token is required (Authorization: Bearer, or access_token)");
    }
}
