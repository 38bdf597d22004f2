package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every handshake refusal, the rate limit, and the bad inputs of README's table, on the deployed
 * WAR. The test server allows the origins https://allowed.example and https://*.trusted.example
 * and 5 peers per topic (src/test/arq-liberty-managed/server/jvm.options).
 */
abstract class HardeningContract {


    @ArquillianResource
    protected URL base;

    private RawWebSocket.Refusal attempt(String topicPath, String headers) throws Exception {
        return RawWebSocket.attempt(base.getHost(), base.getPort(), base.getPath().replaceAll("/$", "") + "/ws/"
                + topicPath, headers);
    }

    private static JsonObject error(RawWebSocket.Refusal refusal) {
        return Json.createReader(new StringReader(refusal.body())).readObject().getJsonObject("error");
    }

    private static String topic() {
        return "h-" + UUID.randomUUID();
    }

    private String ws() {
        return Deployments.wsBase(base);
    }

    @Test
    void aDisallowedOriginGets403AndAllowedOnesConnect() throws Exception {
        RawWebSocket.Refusal refused = attempt(topic(), "Origin: https://evil.example\r\n");
        assertEquals(403, refused.status());
        assertEquals("origin_not_allowed", error(refused).getString("code"));
        assertEquals(101, attempt(topic(), "Origin: https://allowed.example\r\n").status());
        assertEquals(101, attempt(topic(), "Origin: https://app.trusted.example\r\n").status());
        assertEquals(101, attempt(topic(), "").status(), "no Origin: not a browser, let through");
    }

    @Test
    void invalidTopicsAreRefusedBeforeTheUpgrade() throws Exception {
        for (String bad : List.of("a%20b", "a/b", "x".repeat(129), "semi;colon", "%3Cscript%3E", "./x")) {
            RawWebSocket.Refusal refused = attempt(bad, "");
            assertEquals(400, refused.status(), bad);
            assertEquals("invalid_topic", error(refused).getString("code"), bad);
        }
        // The runtime refuses these itself, before the application (Liberty: 302 or 400), or, where
        // it upgrades anyway (Payara: "/ws/.."), the endpoint closes at once with 1008: never a session.
        for (String bad : List.of("..", "%2e%2e", "a%00b", "a%2Fb", "a\u0001b")) {
            RawWebSocket.Refusal answer = attempt(bad, "");
            int status = answer.status();
            if (status == 101) {
                assertEquals(RawWebSocket.CLOSE, answer.firstFrame().opcode(), bad + ": closed, no welcome");
                assertEquals(1008, answer.firstFrame().closeCode(), bad);
            } else {
                assertTrue(status == 400 || status == 302 || status == 404, bad + " -> " + status);
            }
        }
        assertEquals(101, attempt("Valid.topic_name~1-2", "").status());
    }

    @Test
    void metadataIsDeliveredAndBadMetadataGets400() throws Exception {
        String topic = topic();
        String metadata = URLEncoder.encode("{\"name\":\"Ada\",\"tags\":[1,2]}", StandardCharsets.UTF_8);
        try (WsClient a = WsClient.connect(ws(), topic + "?metadata=" + metadata);
             WsClient b = WsClient.connect(ws(), topic)) {
            JsonObject listed = b.next("peer-list").getJsonArray("peers").getJsonObject(0);
            assertEquals(a.selfId, listed.getString("id"));
            assertEquals("Ada", listed.getJsonObject("metadata").getString("name"));
            a.next("peer-list");
            JsonObject joined = a.next("peer-joined");
            assertEquals("{\"type\":\"peer-joined\",\"peerId\":\"" + b.selfId + "\"}", joined.toString(), "b has none");
        }
        for (String bad : List.of("not%20json", "%5B1%2C2%5D", "%22str%22", "%7B", "%7B%22a%22%3A%22" + "x".repeat(4100) + "%22%7D")) {
            RawWebSocket.Refusal refused = attempt(topic() + "?metadata=" + bad, "");
            assertEquals(400, refused.status(), bad);
            assertEquals("invalid_metadata", error(refused).getString("code"));
        }
    }

    @Test
    void aFullTopicGets409() throws Exception {
        String topic = topic();
        List<WsClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                members.add(WsClient.connect(ws(), topic));
            }
            RawWebSocket.Refusal refused = attempt(topic, "");
            assertEquals(409, refused.status());
            assertEquals("topic_full", error(refused).getString("code"));
        } finally {
            members.forEach(WsClient::close);
        }
    }

    @Test
    void rejectionsAreCountedByReason() throws Exception {
        attempt(topic(), "Origin: https://evil.example\r\n");
        attempt("bad%20topic", "");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base.toString()).resolve("/metrics?scope=application")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String reason : List.of("origin_not_allowed", "invalid_topic")) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("signaling_handshakes_rejected_total{")
                    && l.contains("reason=\"" + reason + "\"") && !l.endsWith(" 0.0")), reason + "\n" + metrics);
        }
    }

    @Test
    void badInputInsideTheConnection() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            b.next("peer-list");
            a.send("offer", "not-a-ulid", "{}", "n1");
            assertEquals("target_not_found", a.next("error").getString("code"));
            a.send("{\"type\":\"offer\",\"to\":\"" + b.selfId + "\",\"msgId\":\"" + "m".repeat(300) + "\"}");
            JsonObject longId = a.next("error");
            assertEquals("invalid_message", longId.getString("code"));
            a.send("{\"type\":\"offer\",\"to\":{\"id\":1},\"msgId\":\"w\"}");
            assertEquals("invalid_message", a.next("error").getString("code"));
            a.send("{\"type\":\"offer\",\"to\":\"" + b.selfId + "\",\"from\":\"" + a.selfId.replace('0', '1')
                    + "\",\"msgId\":\"f\"}");
            assertEquals(a.selfId, b.next("offer").getString("from"), "a forged from is overwritten");
        }
        // invalid UTF-8 in a text frame: Liberty closes with 1007
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic), 0)) {
            raw.readFrame();
            raw.sendFrame(RawWebSocket.TEXT, new byte[] {(byte) 0xc3, (byte) 0x28, 0x41});
            assertEquals(1007, raw.awaitClose());
        }
    }

    /**
     * A client that floods another peer gets rate_limited with its msgIds, then 1008 once it keeps
     * on; a storm of refused handshakes runs at the same time; two other well-behaved peers relay
     * through all of it.
     */
    @Test
    void floodingAndAbusiveHandshakesLeaveOtherPeersOnTime() throws Exception {
        String topic = topic();
        ExecutorService background = Executors.newFixedThreadPool(2);
        AtomicBoolean stop = new AtomicBoolean();
        try (WsClient flooder = WsClient.connect(ws(), topic);
             WsClient victim = WsClient.connect(ws(), topic);
             WsClient b = WsClient.connect(ws(), topic);
             WsClient c = WsClient.connect(ws(), topic)) {
            b.await("peer-list");
            b.next("peer-joined");
            c.await("peer-list");
            Future<?> handshakes = background.submit(() -> {
                int n = 0;
                while (!stop.get() && n++ < 2000) {
                    attempt("bad%20topic", "");
                    attempt(topic(), "Origin: https://evil.example\r\n");
                }
                return null;
            });
            Future<Integer> flood = background.submit(() -> {
                int sent = 0;
                try {
                    while (!stop.get() && sent < 20_000) { // past the burst (4 000) and the refusals before the close (200)
                        flooder.send("offer", victim.selfId, "{}", "x" + sent++);
                    }
                } catch (RuntimeException closed) {
                    // the server closed the flooder
                }
                return sent;
            });

            long worstNanos = 0;
            for (int i = 0; i < 50; i++) {
                long start = System.nanoTime();
                b.send("offer", c.selfId, "{}", "o" + i);
                JsonObject offer;
                do {
                    offer = c.await("offer");
                } while (!b.selfId.equals(offer.getString("from")));
                assertEquals("o" + i, offer.getString("msgId"));
                c.send("answer", b.selfId, "{}", "a" + i);
                assertEquals("a" + i, b.await("answer").getString("msgId"));
                worstNanos = Math.max(worstNanos, System.nanoTime() - start);
            }
            assertTrue(TimeUnit.NANOSECONDS.toMillis(worstNanos) < 1000,
                    "every round trip in under a second, worst " + TimeUnit.NANOSECONDS.toMillis(worstNanos) + " ms");

            JsonObject limited = flooder.await("error");
            assertEquals("rate_limited", limited.getString("code"));
            assertTrue(limited.getString("msgId").startsWith("x"));
            assertEquals(1008, flooder.closeCode(), "kept flooding: closed with policy violation");
            stop.set(true);
            assertTrue(flood.get(30, TimeUnit.SECONDS) > 100);
            handshakes.get(60, TimeUnit.SECONDS);
            assertNotEquals(0, worstNanos);
        } finally {
            stop.set(true);
            background.shutdownNow();
        }
    }
}
