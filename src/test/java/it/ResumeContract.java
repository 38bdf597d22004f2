package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session resume on the test server (grace period 3 s, jvm.options): a client whose TCP
 * connection is cut comes back with its token, keeps its id, gets what was sent to it meanwhile,
 * and nobody saw it leave; a used or expired token is a new session with resume_failed.
 */
abstract class ResumeContract {

    @ArquillianResource
    protected URL base;

    private URI uri(String topic) {
        return URI.create(Deployments.wsBase(base) + "ws/" + topic);
    }

    /** A connection that asks for a resumable session. */
    private URI resumable(String topic) {
        return URI.create(uri(topic) + "?resumable=true");
    }

    private static JsonObject json(RawWebSocket.Frame frame) {
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    private void awaitAway(String id) throws Exception {
        AwayPeers.await(Deployments.httpBase(base), id);
    }

    @Test
    void aCutConnectionResumesWithItsIdAndWhatWasSentMeanwhile() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket first = new RawWebSocket(resumable(topic), 0);
            JsonObject welcome = json(first.readFrame());
            String id = welcome.getString("selfId");
            String token = welcome.getString("resumeToken");
            assertEquals(id, a.next("peer-joined").getString("peerId"));

            first.abort(); // no close frame: the connection is lost
            awaitAway(id); // what is sent before the server notices the loss goes into the dead socket
            for (String type : List.of("offer", "ice-candidate")) {
                a.send(type, id, "{\"while\":\"away\"}", "gap-" + type); // queued for it
            }
            try (RawWebSocket back = new RawWebSocket(URI.create(uri(topic) + "?resume=" + token), 0)) {
                JsonObject again = json(back.readFrame());
                assertEquals("welcome", again.getString("type"));
                assertEquals(id, again.getString("selfId"), "the same peer id");
                assertNotEquals(token, again.getString("resumeToken"), "a new token, single-use");
                JsonObject list = json(back.readFrame());
                assertEquals(a.selfId, list.getJsonArray("peers").getJsonObject(0).getString("id"));
                assertEquals("gap-offer", json(back.readFrame()).getString("msgId"));
                assertEquals("gap-ice-candidate", json(back.readFrame()).getString("msgId"));
                assertNull(a.poll(Duration.ofMillis(500)), "a saw no peer-left, no peer-joined, no error");

                // the used token is refused: a new session that says so
                try (RawWebSocket reuse = new RawWebSocket(URI.create(uri(topic) + "?resume=" + token), 0)) {
                    JsonObject fresh = json(reuse.readFrame());
                    assertNotEquals(id, fresh.getString("selfId"));
                    assertEquals("peer-list", json(reuse.readFrame()).getString("type"));
                    JsonObject error = json(reuse.readFrame());
                    assertEquals("resume_failed", error.getString("code"));
                }
            }
        }
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create(base.toString()).resolve("/metrics?scope=application")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String result : List.of("ok", "invalid")) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("signaling_resumes_total{")
                    && l.contains("result=\"" + result + "\"") && !l.endsWith(" 0.0")), result + " counted in\n" + metrics);
        }
    }

    @Test
    void aResumeThatSaysWhatItReceivedGetsAgainWhatTheLostConnectionSwallowed() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket first = new RawWebSocket(resumable(topic), 0);
            JsonObject welcome = json(first.readFrame()); // 1
            String id = welcome.getString("selfId");
            assertEquals("peer-list", json(first.readFrame()).getString("type")); // 2
            assertEquals(id, a.next("peer-joined").getString("peerId"));
            a.send("offer", id, "{}", "seen");
            assertEquals("seen", json(first.readFrame()).getString("msgId")); // 3
            a.send("ice-candidate", id, "{}", "swallowed");
            // written to the connection, which then dies before the application sees it
            assertEquals("swallowed", json(first.readFrame()).getString("msgId"));
            first.abort();
            awaitAway(id);
            a.send("ice-candidate", id, "{}", "held");
            try (RawWebSocket back = new RawWebSocket(URI.create(uri(topic) + "?resume="
                    + welcome.getString("resumeToken") + "&received=3"), 0)) {
                assertEquals(id, json(back.readFrame()).getString("selfId"));
                assertEquals("peer-list", json(back.readFrame()).getString("type"));
                assertEquals("swallowed", json(back.readFrame()).getString("msgId"), "sent again");
                assertEquals("held", json(back.readFrame()).getString("msgId"));
                assertNull(a.poll(Duration.ofMillis(300)), "a saw nothing");
            }
        }
    }

    @Test
    void aReceivedThatIsNotACountIsIgnored() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket first = new RawWebSocket(resumable(topic), 0);
            JsonObject welcome = json(first.readFrame());
            String id = welcome.getString("selfId");
            first.readFrame(); // peer-list
            a.next("peer-joined");
            a.send("offer", id, "{}", "read");
            assertEquals("read", json(first.readFrame()).getString("msgId"));
            first.abort();
            awaitAway(id);
            a.send("offer", id, "{}", "held");
            try (RawWebSocket back = new RawWebSocket(URI.create(uri(topic) + "?resume="
                    + welcome.getString("resumeToken") + "&received=-7x"), 0)) {
                assertEquals(id, json(back.readFrame()).getString("selfId"), "resumed all the same");
                assertEquals("peer-list", json(back.readFrame()).getString("type"));
                assertEquals("held", json(back.readFrame()).getString("msgId"), "nothing sent again");
            }
        }
    }

    /**
     * A connection the server gives up on (here: pings never answered, 4000) is an abnormal close
     * too: the peer is held, and the client that comes back gets its session and what was sent to
     * it meanwhile.
     */
    @Test
    void aPeerClosedForNotAnsweringPingsCanResume() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic);
             RawWebSocket silent = new RawWebSocket(resumable(topic), 0)) {
            a.next("peer-list");
            JsonObject welcome = json(silent.readFrame());
            String id = welcome.getString("selfId");
            assertEquals(id, a.next("peer-joined").getString("peerId"));
            assertEquals(4000, silent.awaitClose()); // the raw client never answers pings
            a.send("offer", id, "{}", "after-4000");
            try (RawWebSocket back = new RawWebSocket(URI.create(uri(topic) + "?resume="
                    + welcome.getString("resumeToken")), 0)) {
                assertEquals(id, json(back.readFrame()).getString("selfId"));
                assertEquals("peer-list", json(back.readFrame()).getString("type"));
                assertEquals("after-4000", json(back.readFrame()).getString("msgId"));
                assertNull(a.poll(Duration.ofMillis(300)), "a saw nothing");
            }
        }
    }

    /**
     * After the grace period the peer leaves; the relays held for it are answered dropped to their
     * senders, with their msgId (never thrown away in silence), and its token reads as expired.
     */
    @Test
    void afterTheGracePeriodThePeerLeavesItsHeldRelaysAreAnsweredAndItsTokenIsExpired() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket gone = new RawWebSocket(resumable(topic), 0);
            JsonObject welcome = json(gone.readFrame());
            String id = welcome.getString("selfId");
            a.next("peer-joined");
            gone.abort();
            awaitAway(id);
            a.send("offer", id, "{}", "held-1");
            a.send("ice-candidate", id, "{}", "held-2");
            assertEquals(id, a.next("peer-left").getString("peerId"), "left once the grace period was over");
            for (String msgId : List.of("held-1", "held-2")) {
                JsonObject dropped = a.next("error");
                assertEquals("dropped", dropped.getString("code"));
                assertEquals(msgId, dropped.getString("msgId"));
            }
            a.send("offer", id, "{}", "late");
            assertEquals("target_not_found", a.next("error").getString("code"));
            try (RawWebSocket late = new RawWebSocket(URI.create(uri(topic) + "?resume=" + welcome.getString("resumeToken")), 0)) {
                assertNotEquals(id, json(late.readFrame()).getString("selfId"));
                late.readFrame(); // peer-list
                JsonObject error = json(late.readFrame());
                assertEquals("resume_failed", error.getString("code"));
                assertNotNull(error.getString("message"));
            }
        }
    }

    /** A client that does not ask (a seed client) gets the seed's welcome and leaves at once when its connection drops. */
    @Test
    void aConnectionThatDidNotAskIsNotResumable() throws Exception {
        String topic = "r-" + UUID.randomUUID();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket seed = new RawWebSocket(uri(topic), 0);
            JsonObject welcome = json(seed.readFrame());
            assertEquals(Set.of("type", "selfId"), welcome.keySet(), "the seed's welcome exactly");
            String id = welcome.getString("selfId");
            a.next("peer-joined");
            seed.abort();
            assertEquals(id, a.next("peer-left").getString("peerId"), "gone at once, no grace period");
            a.send("offer", id, "{}", "after");
            assertEquals("target_not_found", a.next("error").getString("code"));
        }
    }
}
