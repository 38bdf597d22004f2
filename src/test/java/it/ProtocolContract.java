package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The seed protocol, end to end, against the WAR on a real Liberty server. */
abstract class ProtocolContract {


    @ArquillianResource
    protected URL base;

    private String ws() {
        return Deployments.wsBase(base);
    }

    private static String topic() {
        return "t-" + UUID.randomUUID();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void connectGivesWelcomeThenThePeerListOfTheOthers() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            assertEquals("{\"type\":\"peer-list\"}", a.next("peer-list").toString(), "empty list: no peers field");
            JsonObject list = b.next("peer-list");
            assertEquals(List.of(a.selfId), list.getJsonArray("peers").stream()
                    .map(p -> p.asJsonObject().getString("id")).toList(), "self excluded");
            assertEquals(26, a.selfId.length(), "ULID");
            assertFalse(a.selfId.equals(b.selfId));

            try (WsClient c = WsClient.connect(ws(), topic)) {
                Set<String> listed = c.next("peer-list").getJsonArray("peers").stream()
                        .map(p -> p.asJsonObject().getString("id")).collect(Collectors.toSet());
                assertEquals(Set.of(a.selfId, b.selfId), listed);
            }
        }
    }

    @Test
    void othersSeePeerJoinedAndPeerLeft() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            String bId;
            try (WsClient b = WsClient.connect(ws(), topic)) {
                bId = b.selfId;
                assertEquals("{\"type\":\"peer-joined\",\"peerId\":\"" + bId + "\"}", a.next().toString());
            }
            assertEquals("{\"type\":\"peer-left\",\"peerId\":\"" + bId + "\"}", a.next().toString());
        }
    }

    @Test
    void relaysAllThreeTypesWithFromAndMsgIdUnchanged() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            b.next("peer-list");
            String payload = "{\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\",\"type\":\"offer\",\"n\":[1,2.5,null,true]}";
            for (String type : List.of("offer", "answer", "ice-candidate")) {
                a.send(type, b.selfId, payload, "id-" + type);
                JsonObject relayed = b.next(type);
                assertEquals(a.selfId, relayed.getString("from"));
                assertEquals(json(payload), relayed.getJsonObject("payload"));
                assertEquals("id-" + type, relayed.getString("msgId"));
                assertFalse(relayed.containsKey("to"));
            }
            // msgId and payload of any JSON type, and a forged from, which the server overwrites
            a.send("{\"type\":\"answer\",\"to\":\"" + b.selfId
                    + "\",\"from\":\"" + b.selfId + "\",\"payload\":\"plain\",\"msgId\":42}");
            JsonObject relayed = b.next("answer");
            assertEquals(a.selfId, relayed.getString("from"));
            assertEquals("plain", relayed.getString("payload"));
            assertEquals(42, relayed.getInt("msgId"));
            // no payload, no msgId: none relayed
            a.send("{\"type\":\"ice-candidate\",\"to\":\"" + b.selfId + "\"}");
            assertEquals("{\"type\":\"ice-candidate\",\"from\":\"" + a.selfId + "\"}", b.next().toString());
        }
    }

    @Test
    void everyErrorCodeCarriesTheMsgIdAndKeepsTheConnection() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            b.next("peer-list");

            a.send("{\"type\":\"hello\",\"to\":\"" + b.selfId + "\",\"msgId\":\"m1\"}");
            assertEquals("{\"type\":\"error\",\"code\":\"invalid_type\",\"message\":\"unknown message type\",\"msgId\":\"m1\"}",
                    a.next().toString());
            a.send("{\"type\":\"offer\",\"payload\":{},\"msgId\":\"m2\"}");
            assertEquals("{\"type\":\"error\",\"code\":\"missing_target\",\"message\":\"to required\",\"msgId\":\"m2\"}",
                    a.next().toString());
            a.send("offer", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "{}", "m3");
            assertEquals("{\"type\":\"error\",\"code\":\"target_not_found\",\"message\":\"peer not found\",\"msgId\":\"m3\"}",
                    a.next().toString());
            a.send("this is not json");
            JsonObject invalid = a.next("error");
            assertEquals("invalid_message", invalid.getString("code"));
            assertNull(invalid.get("msgId"));
            a.send("[\"an\",\"array\"]");
            assertEquals("invalid_message", a.next("error").getString("code"));
            a.send("{\"type\":7,\"msgId\":\"m4\"}");
            JsonObject wrongType = a.next("error");
            assertEquals("invalid_message", wrongType.getString("code"));
            assertEquals("m4", wrongType.getString("msgId"));

            // the connection survived all of that, and b heard none of it
            a.send("offer", b.selfId, "{}", "after");
            assertEquals("after", b.next("offer").getString("msgId"));
            assertNull(b.poll(Duration.ofMillis(200)));
        }
    }

    @Test
    void topicsAreIsolated() throws Exception {
        try (WsClient a = WsClient.connect(ws(), topic()); WsClient b = WsClient.connect(ws(), topic())) {
            assertEquals("{\"type\":\"peer-list\"}", a.next().toString());
            assertEquals("{\"type\":\"peer-list\"}", b.next().toString());
            a.send("offer", b.selfId, "{}", "x");
            assertEquals("target_not_found", a.next("error").getString("code"), "a peer in another topic");
            assertNull(b.poll(Duration.ofMillis(300)), "nothing crosses topics");
        }
    }

    @Test
    void aMessageOver64KiBClosesWith1009AndOthersStay() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            b.next("peer-list");
            b.send("offer", a.selfId, "\"" + "x".repeat(65 * 1024) + "\"", "big");
            assertEquals(1009, b.closeCode());
            assertEquals(b.selfId, a.next("peer-left").getString("peerId"));
        }
    }

    /** Liberty checks each frame only; the limit must hold for a message sent in many small frames. */
    @Test
    void aFragmentedMessageOver64KiBClosesWith1009() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic);
             RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic), 0)) {
            a.next("peer-list");
            String rawId = a.next("peer-joined").getString("peerId");
            byte[] part = "y".repeat(30_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            raw.sendFrame(RawWebSocket.TEXT, "{\"type\":\"offer\",\"to\":\"x\",\"payload\":\"".getBytes(), false);
            raw.sendFrame(0, part, false);
            raw.sendFrame(0, part, false);
            raw.sendFrame(0, part, false);
            assertEquals(1009, raw.awaitClose());
            assertEquals(rawId, a.next("peer-left").getString("peerId"));
        }
    }

    @Test
    void aFragmentedMessageUnderTheLimitIsRelayed() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic);
             RawWebSocket raw = new RawWebSocket(URI.create(ws() + "ws/" + topic), 0)) {
            a.next("peer-list");
            a.next("peer-joined");
            raw.sendFrame(RawWebSocket.TEXT, ("{\"type\":\"offer\",\"to\":\"" + a.selfId).getBytes(), false);
            raw.sendFrame(0, "\",\"payload\":\"".getBytes(), false);
            raw.sendFrame(0, "z".repeat(20_000).getBytes(), false);
            raw.sendFrame(0, "\",\"msgId\":\"frag\"}".getBytes(), true);
            JsonObject relayed = a.next("offer");
            assertEquals("frag", relayed.getString("msgId"));
            assertEquals(20_000, relayed.getString("payload").length());
        }
    }

    @Test
    void aMessageJustUnder64KiBIsRelayed() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            String filler = "x".repeat(65536 - 200);
            b.send("offer", a.selfId, "\"" + filler + "\"", "near-limit");
            assertEquals(filler, a.next("offer").getString("payload"));
        }
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        String topic = topic();
        try (WsClient a = WsClient.connect(ws(), topic); WsClient b = WsClient.connect(ws(), topic)) {
            a.next("peer-list");
            a.next("peer-joined");
            b.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, b.closeCode());
            assertEquals(b.selfId, a.next("peer-left").getString("peerId"));
        }
    }

    @Test
    void healthzAnswers200() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + "healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
    }
}
