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
 * Every handshake refusal, the rate limit, and the bad inputs of docs/security.md's table, on the deployed
 * WAR. The test server allows the origins https://allowed.example and https://*.trusted.example
 * and 5 peers per topic (src/test/arq-liberty-managed/server/jvm.options).
 */
abstract class HardeningContract {


    @ArquillianResource
    protected URL base;

    /** The close code for a frame whose header declares more than the limit: 1009 (Tyrus says 1011). */
    protected int oversizedFrameCloseCode() {
        return 1009;
    }

    /**
     * Whether the runtime decodes each frame of a text message on its own, so that a character
     * split across two frames closes the connection with 1007 (Liberty), or the message whole (Payara).
     */
    protected boolean decodesEachFrameOnItsOwn() {
        return false;
    }

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

    /** The statuses the runtime may answer a path it cannot decode with, before the application sees it. */
    protected java.util.Set<Integer> runtimeRefusals() {
        return java.util.Set.of(400, 302, 404);
    }

    @Test
    void invalidTopicsAreRefusedBeforeTheUpgrade() throws Exception {
        for (String bad : List.of("a%20b", "a/b", "x".repeat(129), "semi;colon", "%3Cscript%3E", "./x")) {
            RawWebSocket.Refusal refused = attempt(bad, "");
            assertEquals(400, refused.status(), bad);
            assertEquals("invalid_topic", error(refused).getString("code"), bad);
        }
        // The runtime refuses some of these itself, before the application (Liberty: 302 or 400 for a path it
        // will not decode or normalize); the rest reach the handshake check, whatever the runtime made of
        // the path (Payara routes "/ws/%2e%2e" to the endpoint): never an upgrade.
        for (String bad : List.of("..", "%2e%2e", "%2e", "a%00b", "a%2Fb", "a\u0001b", "%zz", "%", "a%e9b")) {
            int status = attempt(bad, "").status();
            assertTrue(runtimeRefusals().contains(status), bad + " -> " + status);
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

    /** How many bytes of {@code write} go out before the server closes the connection (or all of them). */
    private static long writeUntilRefused(RawWebSocket raw, long max, java.util.function.LongConsumer sendChunk) {
        long sent = 0;
        try {
            while (sent < max) {
                sendChunk.accept(sent);
                sent += 65536;
            }
        } catch (java.io.UncheckedIOException refused) {
            // the server closed the connection: stop writing
        }
        return sent;
    }

    /**
     * A text frame whose header declares 2^62 bytes, followed by a stream of data: the server
     * refuses it at its header with 1009 instead of gathering it (453 MB and an OutOfMemoryError
     * before), and the others go on.
     */
    @Test
    void aFrameThatNeverEndsIsRefusedAtItsHeader() throws Exception {
        String topic = topic();
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic), 0)) {
            raw.readFrame(); // welcome
            byte[] chunk = new byte[65536];
            java.util.Arrays.fill(chunk, (byte) 'x');
            raw.sendHeader(RawWebSocket.TEXT, true, 1L << 62);
            long sent = writeUntilRefused(raw, 256L << 20, at -> raw.sendRaw(chunk));
            assertTrue(sent < (32L << 20), "the server stopped reading after " + (sent >> 20) + " MB");
            assertEquals(oversizedFrameCloseCode(), raw.awaitClose());
        }
        relaysStillFlow(topic);
    }

    /** A message in endless 60 KB continuation frames is refused once it passes 64 KiB, not gathered. */
    @Test
    void aMessageInManyFramesIsRefusedOnceItPassesTheLimit() throws Exception {
        String topic = topic();
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic), 0)) {
            raw.readFrame();
            byte[] part = new byte[60_000];
            java.util.Arrays.fill(part, (byte) 'x');
            long sent = writeUntilRefused(raw, 256L << 20,
                    at -> raw.sendFrameUnchecked(at == 0 ? RawWebSocket.TEXT : 0, part, false));
            assertTrue(sent < (32L << 20), "the server stopped reading after " + (sent >> 20) + " MB");
            assertEquals(1009, raw.awaitClose());
        }
        relaysStillFlow(topic);
    }

    /** The limit is 64 KiB of UTF-8 on the wire: 30 000 "€" are 30 000 characters but 90 000 bytes. */
    @Test
    void theSizeLimitCountsBytesNotCharacters() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic()), 0)) {
            raw.readFrame();
            raw.sendText("{\"type\":\"offer\",\"to\":\"x\",\"payload\":\"" + "€".repeat(30_000) + "\"}");
            assertEquals(1009, raw.awaitClose());
        }
        try (WsClient a = WsClient.connect(ws(), topic())) { // just under the limit, in four frames: relayed to itself
            a.next("peer-list");
            String head = "{\"type\":\"offer\",\"to\":\"" + a.selfId + "\",\"msgId\":\"big\",\"payload\":\"";
            String body = "y".repeat(65_536 - head.length() - 2);
            a.sendParts(List.of(head, body.substring(0, 30_000), body.substring(30_000), "\"}"));
            assertEquals("big", a.next("offer").getString("msgId"));
        }
    }

    /** Unfinished requests with many or huge headers get an error status, not the heap. */
    @Test
    void manyOrHugeHeadersAreRefusedWithAnErrorStatus() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 450; i++) {
            many.append("X-Filler-").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        int status = attempt(topic(), many.toString()).status();
        assertTrue(status >= 400 && status < 500, "450 headers: " + status);
        status = attempt(topic(), "X-Huge: " + "h".repeat(40_000) + "\r\n").status();
        assertTrue(status >= 400 && status < 500, "a 40 KB header: " + status);
        assertEquals(101, attempt(topic(), "X-Fine-1: a\r\nX-Fine-2: b\r\n").status(), "ordinary handshakes still pass");
    }

    /**
     * Metadata nested deeper than 32 levels is a 400 with the JSON error; 1 000 levels (JSON-P threw
     * a RuntimeException: a 500 and 150 KB of log) are a 400 too, from the application or, for so
     * long a URL, from the runtime before it.
     */
    @Test
    void deeplyNestedMetadataGets400() throws Exception {
        RawWebSocket.Refusal refused = attempt(topic() + "?metadata=" + "%7B%22a%22%3A".repeat(40) + "1"
                + "%7D".repeat(40), "");
        assertEquals(400, refused.status());
        assertEquals("invalid_metadata", error(refused).getString("code"));
        RawWebSocket.Refusal deep = attempt(topic() + "?metadata=" + "%7B%22a%22%3A".repeat(1000) + "1"
                + "%7D".repeat(1000), "");
        assertEquals(400, deep.status());
        if (!deep.body().isEmpty()) {
            assertEquals("invalid_metadata", error(deep).getString("code"));
        }
    }

    /**
     * A "€" split across two frames of one message: valid WebSocket (the message as a whole is
     * UTF-8). Payara relays it; Liberty decodes each frame on its own and closes with 1007, and
     * the application cannot take the message whole without giving up the bound on continuation
     * frames (see SignalingEndpoints).
     */
    @Test
    void aCharacterSplitAcrossFramesIsRelayedWholeOrClosedWith1007() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic()), 0)) {
            String id = Json.createReader(new StringReader(raw.readFrame().text())).readObject().getString("selfId");
            raw.readFrame(); // peer-list
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
            byte[] head = ("{\"type\":\"offer\",\"to\":\"" + id + "\",\"msgId\":\"split\",\"payload\":\"a")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] first = java.util.Arrays.copyOf(head, head.length + 1);
            first[head.length] = euro[0];
            raw.sendFrame(RawWebSocket.TEXT, first, false);
            raw.sendFrame(0, new byte[] {euro[1], euro[2], 'b', '"', '}'}, true);
            RawWebSocket.Frame answer = raw.readFrame();
            if (decodesEachFrameOnItsOwn()) {
                assertEquals(RawWebSocket.CLOSE, answer.opcode());
                assertEquals(1007, answer.closeCode());
            } else {
                assertEquals("a€b", Json.createReader(new StringReader(answer.text())).readObject().getString("payload"));
            }
        }
    }

    /**
     * Pongs nobody asked for count against the rate limit like messages: a client that used its
     * burst on messages and goes on with pongs is closed with 1008 all the same. The pongs go a
     * millisecond apart: pongs back to back in one TCP segment make Liberty's frame reader fail
     * (1002) or skip them before the application sees them.
     */
    @Test
    void aPongFloodIsClosedLikeAMessageFlood() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic()), 0)) {
            raw.readFrame();
            for (int i = 0; i < 4050; i++) { // the burst, and 50 refused
                raw.sendText("{}");
            }
            writeUntilRefused(raw, 600L * 65536, at -> { // 600 pongs: 150 more refusals are enough
                raw.sendFrameUnchecked(0xA, new byte[0], true);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            });
            assertEquals(1008, raw.awaitClose(), "after the 4 000 errors and 50 rate_limited it was sent");
        }
    }

    /**
     * 300 clients that handshake and then never read nor answer a ping: the server closes them all
     * at its ping timeout (4 s on the test servers), and meanwhile two other peers' round trips
     * stay short. Closing them on the container's shared executor held a relay up for 7 s.
     */
    @Test
    void aCrowdOfSilentPeersBeingClosedDelaysNobody() throws Exception {
        List<RawWebSocket> crowd = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                crowd.add(new RawWebSocket(URI.create(ws() + "ws/silent-" + (i / 5) + "-" + UUID.randomUUID()), 4096));
            }
            String topic = topic();
            try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
                a.next("peer-list");
                a.next("peer-joined");
                b.next("peer-list");
                long worst = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8); // past the crowd's ping timeout
                for (int i = 0; System.nanoTime() < end; i++) {
                    long start = System.nanoTime();
                    a.send("offer", b.selfId, "{}", "s" + i);
                    assertEquals("s" + i, b.await("offer").getString("msgId"));
                    worst = Math.max(worst, System.nanoTime() - start);
                    Thread.sleep(50);
                }
                assertTrue(TimeUnit.NANOSECONDS.toMillis(worst) < 2000, "worst relay " + TimeUnit.NANOSECONDS.toMillis(worst) + " ms");
            }
            assertEquals(4000, crowd.get(0).awaitClose(), "the crowd was closed for its silence");
        } finally {
            for (RawWebSocket raw : crowd) {
                raw.close();
            }
        }
    }

    /** Two new peers of the topic still relay to each other. */
    private void relaysStillFlow(String topic) {
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.await("peer-joined");
            b.next("peer-list");
            a.send("offer", b.selfId, "{}", "still");
            assertEquals("still", b.await("offer").getString("msgId"));
        }
    }

    /**
     * A client that floods another peer gets rate_limited with its msgIds, then 1008 once it keeps
     * on; a storm of refused handshakes runs at the same time; two other well-behaved peers relay
     * through all of it.
     */
    /** How many connections the server closed with 1008 so far (signaling_connections_closed_total). */
    private double closedWith1008() throws Exception {
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create(base.toString()).resolve("/metrics?scope=application")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("signaling_connections_closed_total{") && l.contains("code=\"1008\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void floodingAndAbusiveHandshakesLeaveOtherPeersOnTime() throws Exception {
        String topic = topic();
        double closedBefore = closedWith1008();
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
            int code = flooder.closeCode();
            // The server closes a socket that still has the flood unread, so the client may get a reset
            // before the close frame: then the server's own count says how it closed it.
            assertTrue(code == 1008 || (code == -1 && closedWith1008() > closedBefore),
                    "kept flooding: closed with policy violation, not " + code);
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
