package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /turn/credentials with a shared secret, two URIs and a 10 minute TTL ({@link #SETTINGS}): the
 * password is checked against an HMAC-SHA1 computed here, as coturn would.
 */
abstract class TurnContract {

    static final String SECRET = "it-turn-shared-secret";
    /** What the Liberty test server's jvm.options set, and the Payara test passes as system properties. */
    static final Map<String, String> SETTINGS = Map.of("signaling.turn.secret", SECRET,
            "signaling.turn.uris", "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349",
            "signaling.turn.ttl", "10m");

    @ArquillianResource
    protected URL base;

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
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
