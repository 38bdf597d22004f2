package it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graceful shutdown of a real server process: after SIGTERM the messages already queued for a
 * client are still delivered, then every connected client gets close code 1001 (not Liberty's
 * bare 1006), and the process is gone within the drain timeout.
 */
abstract class ShutdownContract {

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** Starts a server process of the runtime under test with this environment, and waits until it is ready. */
    abstract ServerProcess start(Map<String, String> env) throws Exception;

    @Test
    void sigtermFlushesQueuesClosesEveryPeerWith1001AndExitsWithinTheDrainTimeout() throws Exception {
        try (ServerProcess server = start(Map.of(
                "SIGNALING_SHUTDOWN_DRAIN_TIMEOUT", DRAIN_TIMEOUT.toSeconds() + "s",
                "SIGNALING_WRITE_TIMEOUT", "60s", // the stalled target must not be closed for it
                "SIGNALING_RELAY_WAIT", "10ms", // and the relays that do not fit are dropped quickly
                "SIGNALING_RATE_LIMIT", "100000", "SIGNALING_RATE_BURST", "100000"))) {
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                clients.add(WsClient.connect(server.wsBase(), "room-" + (i % 2)));
            }
            WsClient sender = clients.get(0);
            // The target reads its welcome, then nothing until the shutdown (nor does it answer the
            // pings that would open its send window): what the sender sends it backs up in the
            // server's queue.
            RawWebSocket target = new RawWebSocket(URI.create(server.wsBase() + "ws/room-0"), 0);
            String targetId = jakarta.json.Json.createReader(new java.io.StringReader(target.readFrame().text()))
                    .readObject().getString("selfId");
            while (!sender.await("peer-joined").getString("peerId").equals(targetId)) {
                // the other room-0 client joined first
            }

            String big = "\"" + "s".repeat(60_000) + "\"";
            int sent = 250; // 15 MB: far more than the socket buffers hold
            for (int i = 0; i < sent; i++) {
                sender.send("offer", targetId, big, "m" + i);
            }
            // A relay to itself comes back after everything before it was queued or dropped.
            sender.send("answer", sender.selfId, "{}", "barrier");
            Set<String> dropped = new HashSet<>();
            while (true) {
                JsonObject message = sender.next();
                if ("answer".equals(message.getString("type"))) {
                    break;
                }
                assertEquals("dropped", message.getString("code"), message::toString);
                dropped.add(message.getString("msgId"));
            }
            assertFalse(dropped.isEmpty(), "the target's queue was full when the shutdown began");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < sent; i++) {
                if (!dropped.contains("m" + i)) {
                    expected.add("m" + i);
                }
            }

            // The target starts reading again and, at the same moment, the server gets SIGTERM: its queue
            // is still full then, and must be flushed before the close. (Reading first keeps the flush
            // short: Liberty's own shutdown runs beside ours and drops what is still open after a while.)
            List<String> received = new ArrayList<>();
            int[] closeCode = {0};
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        RawWebSocket.Frame frame = target.readMessage(); // and answers pings
                        if (frame.opcode() == RawWebSocket.CLOSE) {
                            closeCode[0] = frame.closeCode();
                            return;
                        }
                        if (frame.opcode() == RawWebSocket.TEXT && frame.text().startsWith("{\"type\":\"offer\"")) {
                            String text = frame.text();
                            received.add(text.substring(text.lastIndexOf("\"msgId\":\"") + 9, text.lastIndexOf('"')));
                        }
                    }
                } catch (java.io.IOException e) {
                    closeCode[0] = -1; // dropped without a close frame
                }
            });
            reader.start();
            server.sigterm();
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(server.awaitExit(DRAIN_TIMEOUT), "the process exited within the drain timeout");
            assertEquals(expected, received, "every queued message was delivered, in order, before the close");
            assertEquals(1001, closeCode[0], "the stalled client too gets 1001 going away");
            for (WsClient client : clients) {
                assertEquals(1001, client.closeCode(), "close code 1001 going away, not 1006");
            }
        }
    }
}
