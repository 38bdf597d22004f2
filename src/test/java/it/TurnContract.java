package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.session.Credentials;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /turn/credentials with a shared secret, two URIs and a 10 minute TTL ({@link #SETTINGS}): the
 * password is checked against an HMAC-SHA1 computed here, as coturn would. A page of an allowed
 * origin may read them from another origin (CORS, after a preflight for its Authorization header).
 */
abstract class TurnContract {

    static final String SECRET = "it-turn-shared-secret";
    /** What the Liberty test server's jvm.options set, and the Payara test passes as system properties. */
    static final Map<String, String> SETTINGS = Map.of("signaling.turn.secret", SECRET,
            "signaling.turn.uris", "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349",
            "signaling.turn.ttl", "10m", "signaling.origins", "https://allowed.example,https://*.trusted.example");

    @ArquillianResource
    protected URL base;

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String origin, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Origin", origin);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPageOfAnAllowedOriginReadsTheCredentialsAndTheClientFromAnotherOriginAndOtherPagesDoNot() throws Exception {
        String app = "https://app.trusted.example";
        HttpResponse<String> preflight = send("OPTIONS", "turn/credentials?peer=p1", app,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
        assertEquals(204, preflight.statusCode(), preflight::body);
        assertEquals(app, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Credentials").isEmpty(), "never credentials");
        HttpResponse<String> credentials = send("GET", "turn/credentials?peer=p1", app);
        assertEquals(200, credentials.statusCode());
        assertEquals(app, credentials.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        HttpResponse<String> library = send("GET", "client/signaling-client.js", app);
        assertEquals(200, library.statusCode());
        assertEquals(app, library.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "a module import needs it");

        String other = "https://evil.example";
        HttpResponse<String> refused = send("OPTIONS", "turn/credentials", other, "Access-Control-Request-Method", "GET");
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("origin_not_allowed"));
        HttpResponse<String> unread = send("GET", "turn/credentials", other);
        assertTrue(unread.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "the browser keeps it from that page");
    }

    @Test
    void credentialsAreTimeLimitedAndVerifyAgainstTheSharedSecret() throws Exception {
        HttpResponse<String> response = get("turn/credentials?peer=01J5PEER");
        assertEquals(200, response.statusCode());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        JsonObject credentials = Json.createReader(new StringReader(response.body())).readObject();
        String username = credentials.getString("username");
        String[] parts = username.split(":");
        assertEquals("01J5PEER", parts[1]);
        assertEquals(600, credentials.getInt("ttl"));
        long expiry = Long.parseLong(parts[0]);
        assertTrue(Math.abs(expiry - (System.currentTimeMillis() / 1000 + 600)) < 30, "expires in the TTL");
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, credentials.getString("password"));
        assertEquals(List.of("turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"),
                credentials.getJsonArray("uris").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(400, get("turn/credentials?peer=bad%20name").statusCode());
        assertTrue(get("turn/credentials").body().contains(":anonymous\""));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base.toString()).resolve("/metrics?scope=application")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("signaling_turn_credentials_total") && !l.endsWith(" 0.0")));
    }
}
