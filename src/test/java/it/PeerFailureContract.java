package it;

import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

import jakarta.json.JsonObject;

import java.net.URI;
import java.net.URL;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peers that go wrong: vanish, fall silent, stop reading. The test server pings every 2 s and
 * closes a stuck send after 3 s (src/test/arq-liberty-managed/server/jvm.options).
 */
abstract class PeerFailureContract {

    @ArquillianResource
    protected URL base;

    private URI topicUri(String topic) {
        return URI.create(Deployments.wsBase(base) + "ws/" + topic);
    }

    private static String topic() {
        return "f-" + UUID.randomUUID();
    }

    private static String selfId(RawWebSocket raw) throws Exception {
        return jakarta.json.Json.createReader(new java.io.StringReader(raw.readFrame().text())).readObject()
                .getString("selfId");
    }

    @Test
    void anAbruptTcpDropYieldsPeerLeft() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic)) {
            a.next("peer-list");
            RawWebSocket raw = new RawWebSocket(topicUri(topic), 0);
            String rawId = selfId(raw);
            assertEquals(rawId, a.next("peer-joined").getString("peerId"));
            raw.abort();
            assertEquals(rawId, a.next("peer-left").getString("peerId"));
        }
    }

    @Test
    void aPeerThatNeverAnswersPingsIsClosedWith4000() throws Exception {
        String topic = topic();
        try (WsClient a = WsClient.connect(Deployments.wsBase(base), topic);
             RawWebSocket silent = new RawWebSocket(topicUri(topic), 0)) {
            String silentId = selfId(silent);
            assertEquals(silentId, a.await("peer-joined").getString("peerId"));
            // a reads its pings and answers them (the JDK client does), the raw one does not
            assertEquals(4000, silent.awaitClose());
            assertEquals(silentId, a.await("peer-left").getString("peerId"));
            a.send("offer", silentId, "{}", "late");
            assertEquals("target_not_found", a.next("error").getString("code"));
        }
    }

    /**
     * A peer that stops reading (tiny receive buffer, never reads, but keeps sending so it is not
     * a ping timeout): relays to it are dropped once its queue is full, the relays between two
     * other peers carry on meanwhile, and its stuck send closes it after the write timeout.
     */
    @Test
    void aPeerThatStopsReadingDelaysNobodyAndIsClosedByTheWriteTimeout() throws Exception {
        String topic = topic();
        String ws = Deployments.wsBase(base);
        ExecutorService background = Executors.newFixedThreadPool(2);
        AtomicBoolean stop = new AtomicBoolean();
        try (WsClient flooder = WsClient.connect(ws, topic);
             RawWebSocket stuck = new RawWebSocket(topicUri(topic), 4096);
             WsClient b = WsClient.connect(ws, topic);
             WsClient c = WsClient.connect(ws, topic)) {
            String stuckId = selfId(stuck);
            // keep the stuck peer alive on the liveness check without ever reading again
            background.submit(() -> {
                while (!stop.get()) {
                    stuck.sendText("{\"type\":\"offer\",\"to\":\"nobody\"}");
                    Thread.sleep(300);
                }
                return null;
            });
            String big = "\"" + "s".repeat(60_000) + "\"";
            Future<?> flood = background.submit(() -> {
                try {
                    for (int i = 0; i < 200 && !stop.get(); i++) {
                        flooder.send("offer", stuckId, big, "f" + i);
                    }
                } catch (RuntimeException e) {
                    // closed at the end of the test
                }
                return null;
            });
            JsonObject dropped = flooder.await("error");
            assertEquals("dropped", dropped.getString("code"), "the stuck peer's queue filled up");
            assertTrue(dropped.getString("msgId").startsWith("f"));

            // meanwhile b and c talk undisturbed: 50 round trips before the stuck peer is closed
            b.await("peer-list");
            assertEquals(c.selfId, b.next("peer-joined").getString("peerId"));
            c.await("peer-list");
            for (int i = 0; i < 50; i++) {
                b.send("offer", c.selfId, "{}", "o" + i);
                assertEquals("o" + i, c.await("offer").getString("msgId"));
                c.send("answer", b.selfId, "{}", "a" + i);
                JsonObject answer = b.next();
                assertEquals("answer", answer.getString("type"),
                        "b's next message is c's answer: the stuck peer has not been closed yet");
                assertEquals("a" + i, answer.getString("msgId"));
            }
            assertEquals(stuckId, b.await("peer-left").getString("peerId"), "the write timeout closed it");
            stop.set(true);
            flood.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            background.shutdownNow();
        }
    }
}
