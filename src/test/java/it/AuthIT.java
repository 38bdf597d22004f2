package it;

import jakarta.json.JsonObject;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * JWT authentication (HS256) and the per-node connection limit, on a server process started with
 * {@code SIGNALING_AUTH_MODE=jwt} and {@code SIGNALING_MAX_CONNECTIONS=3}.
 */
class AuthIT {

    private static final String SECRET = "integration-test-secret-of-at-least-32-bytes";
    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LibertyServer.start("authServer", Map.of(
                "SIGNALING_AUTH_MODE", "jwt",
                "SIGNALING_AUTH_JWT_SECRET", SECRET,
                "SIGNALING_AUTH_JWT_AUDIENCE", "signaling",
                "SIGNALING_MAX_CONNECTIONS", "3",
                "SIGNALING_RESUME_GRACE", "0s", // raw handshakes here drop their sockets: no resumes holding places
                "SIGNALING_TURN_SECRET", "auth-it-turn-secret", "SIGNALING_TURN_URIS", "turn:127.0.0.1:3478"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String token(String audience, float minutes, List<String> topics, Map<String, Object> metadata)
            throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("alice");
        claims.setAudience(audience);
        claims.setExpirationTimeMinutesInTheFuture(minutes);
        if (topics != null) {
            claims.setStringListClaim("topics", topics);
        }
        if (metadata != null) {
            claims.setClaim("metadata", metadata);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        return jws.getCompactSerialization();
    }

    private static RawWebSocket.Refusal attempt(String path, String headers) throws Exception {
        return RawWebSocket.attempt("127.0.0.1", server.port, "/ws/" + path, headers);
    }

    private static String code(RawWebSocket.Refusal refusal) {
        return jakarta.json.Json.createReader(new java.io.StringReader(refusal.body())).readObject()
                .getJsonObject("error").getString("code");
    }

    @Test
    void noTokenOrABadOneGets401() throws Exception {
        RawWebSocket.Refusal missing = attempt("room", "");
        assertEquals(401, missing.status());
        assertEquals("missing_token", code(missing));
        assertEquals("Bearer", missing.header("WWW-Authenticate"));
        assertEquals(401, attempt("room", "Authorization: Bearer not.a.jwt\r\n").status());
        assertEquals("invalid_token", code(attempt("room", "Authorization: Bearer "
                + token("signaling", -5, null, null) + "\r\n")));
        assertEquals("invalid_token", code(attempt("room", "Authorization: Bearer "
                + token("other-audience", 5, null, null) + "\r\n")));
    }

    @Test
    void aTopicTheTokenDoesNotGrantGets403() throws Exception {
        String token = token("signaling", 5, List.of("team-*"), null);
        RawWebSocket.Refusal refused = attempt("room", "Authorization: Bearer " + token + "\r\n");
        assertEquals(403, refused.status());
        assertEquals("topic_forbidden", code(refused));
        assertEquals(101, attempt("team-blue", "Authorization: Bearer " + token + "\r\n").status());
    }

    @Test
    void aHeaderOrAQueryTokenConnectsAndItsMetadataOverridesTheQuery() throws Exception {
        String token = token("signaling", 5, List.of("room"), Map.of("name", "from-token"));
        try (WsClient viaQuery = WsClient.connect(server.wsBase(), "room?access_token=" + token
                + "&metadata=%7B%22name%22%3A%22from-query%22%7D")) {
            viaQuery.next("peer-list");
            WebSocket.Listener quiet = new WebSocket.Listener() { };
            WebSocket viaHeader = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token(("signaling"), 5, null, null))
                    .buildAsync(URI.create(server.wsBase() + "ws/room"), quiet).join();
            try {
                JsonObject joined = viaQuery.next("peer-joined");
                assertEquals(null, joined.get("metadata"), "the header token supplied none");
            } finally {
                viaHeader.abort();
            }
        }
        try (WsClient first = WsClient.connect(server.wsBase(), "room?access_token="
                + token("signaling", 5, null, null))) {
            first.next("peer-list");
            try (WsClient second = WsClient.connect(server.wsBase(), "room?access_token=" + token
                    + "&metadata=%7B%22name%22%3A%22from-query%22%7D")) {
                assertEquals("from-token", first.next("peer-joined").getJsonObject("metadata").getString("name"));
            }
        }
    }

    @Test
    void turnCredentialsNeedAValidTokenAndNameItsSubject() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(server.httpBase() + "turn/credentials");
        assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        java.net.http.HttpResponse<String> ok = http.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token("signaling", 5, null, null)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        String username = jakarta.json.Json.createReader(new java.io.StringReader(ok.body())).readObject().getString("username");
        assertEquals("alice", username.substring(username.indexOf(':') + 1), "the token's subject");
    }

    /** Waits until the other tests' connections are gone from the server (its /debug/stats). */
    private static void awaitNoPeers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String stats = http.send(java.net.http.HttpRequest.newBuilder(URI.create(server.httpBase() + "debug/stats"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (jakarta.json.Json.createReader(new java.io.StringReader(stats)).readObject().getInt("peers") == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("connections of earlier tests did not go away");
    }

    @Test
    void theNodeLimitGets503WithRetryAfter() throws Exception {
        String token = token("signaling", 5, null, null);
        awaitNoPeers();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(WsClient.connect(server.wsBase(), "full-" + i + "?access_token=" + token));
            }
            RawWebSocket.Refusal refused = attempt("full-x", "Authorization: Bearer " + token + "\r\n");
            assertEquals(503, refused.status());
            assertEquals("server_full", code(refused));
            assertEquals("10", refused.header("Retry-After"));
        } finally {
            clients.forEach(WsClient::close);
        }
        // once they are gone there is room again
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline && status != 101) {
            status = attempt("full-y", "Authorization: Bearer " + token + "\r\n").status();
        }
        assertEquals(101, status);
        assertThrows(CompletionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.wsBase() + "ws/room"), new WebSocket.Listener() { }).join(),
                "and a client without a token is still refused");
    }
}
