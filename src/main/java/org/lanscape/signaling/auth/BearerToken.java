package org.lanscape.signaling.auth;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Where a request carries its JWT: an {@code Authorization: Bearer} header; or, from a browser,
 * whose WebSocket cannot set headers, the subprotocol list ({@code new WebSocket(url,
 * ["lanscape-signaling", "access_token." + jwt])}), which stays out of URLs, logs and spans; or
 * an {@code access_token} query parameter, which works but which the runtime's HTTP span records
 * with the rest of the query when tracing is on.
 */
public final class BearerToken {

    /** The prefix of the subprotocol entry that carries a token. */
    public static final String SUBPROTOCOL_PREFIX = "access_token.";

    private BearerToken() {
    }

    /** The token of the request; a 401 AuthException when it has none. */
    public static String of(HttpServletRequest request) throws AuthException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        String fromProtocols = subprotocolEntry(request.getHeader("Sec-WebSocket-Protocol"), SUBPROTOCOL_PREFIX);
        if (fromProtocols != null) {
            return fromProtocols;
        }
        String param = request.getParameter("access_token");
        if (param != null && !param.isBlank()) {
            return param.trim();
        }
        throw new AuthException(401, "missing_token",
                "a token is required (Authorization: Bearer, the subprotocol access_token.<token>, or access_token)");
    }

    /**
     * The value of the entry that starts with {@code prefix} in a {@code Sec-WebSocket-Protocol}
     * header ("lanscape-signaling, access_token.eyJ..."), or null.
     */
    public static String subprotocolEntry(String header, String prefix) {
        if (header == null) {
            return null;
        }
        for (String protocol : header.split(",")) {
            String entry = protocol.trim();
            if (entry.startsWith(prefix) && entry.length() > prefix.length()) {
                return entry.substring(prefix.length());
            }
        }
        return null;
    }
}
