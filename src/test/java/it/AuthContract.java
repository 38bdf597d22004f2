package it;

import jakarta.json.JsonObject;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * JWT authentication (HS256) and the per-node connection limit, on a server process started with
 * {@code SIGNALING_AUTH_MODE=jwt} and {@code SIGNALING_MAX_CONNECTIONS=3}.
 */
abstract class AuthContract {

    static final String SECRET = "integration-test-secret-of-at-least-32-bytes";
    /** The server's settings, as environment variables. */
    static final Map<String, String> ENV = Map.of(
            "SIGNALING_AUTH_MODE", "jwt",
            "SIGNALING_AUTH_JWT_SECRET", SECRET,
            "SIGNALING_AUTH_JWT_AUDIENCE", "signaling",
            "SIGNALING_MAX_CONNECTIONS", "3",
            "SIGNALING_AUTH_JWT_CLOCK_SKEW", "1s",
            "SIGNALING_DEBUG_ENABLED", "true",
            "SIGNALING_RESUME_GRACE", "5s", // a session held for a resume counts against the node limit of 3
            "SIGNALING_TURN_SECRET", "auth-it-turn-secret", "SIGNALING_TURN_URIS", "turn:127.0.0.1:3478");
    /** Started by the subclass, with {@link #ENV}. */
    static ServerProcess server;

    /**
     * Each test starts with no peers on the node (its limit is 3): the connections a test dropped
     * can take a few seconds to be found on Payara (see DeliveryContract.resetFoundWithin).
     */
    @BeforeEach
    void noPeersLeft() throws Exception {
        awaitNoPeers();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    static String token(String audience, float minutes, List<String> topics, Map<String, Object> metadata)
            throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("alice");
        claims.setAudience(audience);
        claims.setExpirationTimeMinutesInTheFuture(minutes);
        return sign(claims, topics, metadata);
    }

    /** A token for {@code subject}, valid for that many seconds, with extra claims. */
    static String token(String subject, long seconds, Map<String, Object> extra) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(subject);
        claims.setAudience("signaling");
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(System.currentTimeMillis() / 1000 + seconds));
        extra.forEach(claims::setClaim);
        return sign(claims, null, null);
    }

    private static String sign(JwtClaims claims, List<String> topics, Map<String, Object> metadata) throws Exception {
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
        return RawWebSocket.attempt("127.0.0.1", server.port(), "/ws/" + path, headers);
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

    /** Waits until the other tests' connections are gone from the server (its /debug/stats, as an admin). */
    private static void awaitNoPeers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String admin = token("ops", 60, Map.of("admin", true));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String stats = http.send(java.net.http.HttpRequest.newBuilder(URI.create(server.httpBase() + "debug/stats"))
                    .header("Authorization", "Bearer " + admin).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
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

    @Test
    void aBrowserSendsItsTokenAsASubprotocolNotInTheUrl() throws Exception {
        String token = token("signaling", 5, null, null);
        WebSocket.Listener quiet = new WebSocket.Listener() { };
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("lanscape-signaling", "access_token." + token)
                .buildAsync(URI.create(server.wsBase() + "ws/room"), quiet).join();
        try {
            assertEquals("lanscape-signaling", socket.getSubprotocol(), "the server names the protocol, not the token");
        } finally {
            socket.abort();
        }
        assertEquals(401, attempt("room", "Sec-WebSocket-Protocol: lanscape-signaling, access_token.not-a-jwt\r\n").status());
    }

    @Test
    void debugStatsAnswerOnlyAnAdminsToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(server.httpBase() + "debug/stats");
        assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(403, http.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token("alice", 60, Map.of())).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token("ops", 60, Map.of("admin", true))).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void aConnectionIsClosedWith4003WhenItsTokenExpires() throws Exception {
        try (WsClient watcher = WsClient.connect(server.wsBase(), "expiry?access_token=" + token("bob", 60, Map.of()));
             WsClient shortLived = WsClient.connect(server.wsBase(), "expiry?access_token=" + token("carol", 2, Map.of()))) {
            watcher.next("peer-list");
            assertEquals(shortLived.selfId, watcher.next("peer-joined").getString("peerId"));
            assertEquals(4003, shortLived.closeCode(), "closed once its token (2 s, and 1 s of clock skew) expired");
            assertEquals(shortLived.selfId, watcher.next("peer-left").getString("peerId"));
        }
    }

    @Test
    void aSessionResumesOnlyForTheSubjectThatOpenedIt() throws Exception {
        String alice = token("alice-resume", 60, Map.of());
        RawWebSocket first = new RawWebSocket(URI.create(server.wsBase() + "ws/resume-auth?resumable=true&access_token=" + alice), 0);
        JsonObject welcome = jakarta.json.Json.createReader(new java.io.StringReader(first.readFrame().text())).readObject();
        first.abort();
        String resume = "ws/resume-auth?resume=" + welcome.getString("resumeToken") + "&access_token=";
        try (RawWebSocket mallory = new RawWebSocket(URI.create(server.wsBase() + resume + token("mallory", 60, Map.of())), 0)) {
            JsonObject other = jakarta.json.Json.createReader(new java.io.StringReader(mallory.readFrame().text())).readObject();
            assertNotEquals(welcome.getString("selfId"), other.getString("selfId"), "another subject gets a new session");
            mallory.readFrame(); // peer-list
            assertEquals("resume_failed", jakarta.json.Json.createReader(new java.io.StringReader(mallory.readFrame().text()))
                    .readObject().getString("code"));
        }
        try (RawWebSocket back = new RawWebSocket(URI.create(server.wsBase() + resume + alice), 0)) {
            JsonObject again = jakarta.json.Json.createReader(new java.io.StringReader(back.readFrame().text())).readObject();
            assertEquals(welcome.getString("selfId"), again.getString("selfId"), "its own subject resumes, the token still unused");
        }
    }

    @Test
    void anySubjectGetsTurnCredentials() throws Exception {
        java.net.http.HttpResponse<String> ok = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create(server.httpBase() + "turn/credentials"))
                .header("Authorization", "Bearer " + token("ada@example.com|auth0 1", 60, Map.of())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        String username = jakarta.json.Json.createReader(new java.io.StringReader(ok.body())).readObject().getString("username");
        assertEquals("ada@example.com|auth0 1", username.substring(username.indexOf(':') + 1));
    }

    /** 1 500 levels (the header limit of 16 KB keeps deeper ones out before the application: 400). */
    /** 600 levels, far past the 64 allowed: the token (5 KB) still fits the 8 KiB of headers Payara takes. */
    @Test
    void claimsNestedHundredsDeepAre401NotACrash() throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("deep");
        claims.setAudience("signaling");
        claims.setExpirationTimeMinutesInTheFuture(5);
        String payload = claims.toJson().replaceFirst("\\}$", ",\"metadata\":" + "{\"a\":".repeat(600) + "1" + "}".repeat(600) + "}");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setKey(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        RawWebSocket.Refusal refused = attempt("room", "Authorization: Bearer " + jws.getCompactSerialization() + "\r\n");
        assertEquals(401, refused.status());
        assertEquals("invalid_token", code(refused));
    }
}
