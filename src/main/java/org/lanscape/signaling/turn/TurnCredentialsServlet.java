package org.lanscape.signaling.turn;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.lanscape.signaling.auth.AuthConfig;
import org.lanscape.signaling.auth.AuthException;
import org.lanscape.signaling.auth.AuthMode;
import org.lanscape.signaling.auth.BearerToken;
import org.lanscape.signaling.rest.JsonErrors;
import org.lanscape.signaling.telemetry.SignalingMetrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * GET /turn/credentials[?peer=id]:
 * <pre>{"username":"1732300000:01J5...","password":"base64 HMAC-SHA1","ttl":3600,"uris":["turn:..."]}</pre>
 * 404 until {@code signaling.turn.secret} is set; with JWT auth on, a valid token is required
 * (Authorization: Bearer or access_token) and the username carries the token's subject.
 */
@WebServlet("/turn/credentials")
public class TurnCredentialsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** What an anonymous caller may name itself; a token's subject is taken as it is. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~\\-]{1,128}");
    /** A subject goes into the TURN username whole, only control characters are refused. */
    private static final Pattern SUBJECT = Pattern.compile("[^\\p{Cntrl}]{1,256}");

    @Inject
    TurnConfig turn;
    @Inject
    AuthConfig auth;
    @Inject
    SignalingMetrics metrics;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!turn.enabled()) {
            JsonErrors.write(request, response, 404, "not_found", "TURN credentials are not configured");
            return;
        }
        String user = request.getParameter("peer");
        Pattern allowed = USER;
        if (auth.mode() == AuthMode.JWT) {
            try {
                String subject = auth.verifier().verify(BearerToken.of(request)).subject();
                if (subject != null) {
                    user = subject;
                    allowed = SUBJECT;
                }
            } catch (AuthException e) {
                response.setHeader("WWW-Authenticate", "Bearer");
                JsonErrors.write(request, response, e.status(), e.code(), e.getMessage());
                return;
            }
        }
        if (user == null) {
            user = "anonymous";
        }
        if (!allowed.matcher(user).matches()) {
            JsonErrors.write(request, response, 400, "bad_request", allowed == USER
                    ? "peer is 1-128 characters of A-Z a-z 0-9 . _ ~ -"
                    : "the token's subject is over 256 characters or holds control characters");
            return;
        }
        TurnCredentials credentials = TurnCredentials.issue(turn.secret(), user, turn.ttl(), turn.uris(), Instant.now());
        metrics.turnCredentialsIssued();
        JsonArrayBuilder uris = Json.createArrayBuilder();
        credentials.uris().forEach(uris::add);
        byte[] body = Json.createObjectBuilder().add("username", credentials.username())
                .add("password", credentials.password()).add("ttl", credentials.ttl()).add("uris", uris)
                .build().toString().getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

}
