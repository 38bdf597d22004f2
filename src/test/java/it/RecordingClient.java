package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.session.Peer;

import java.io.StringReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A client connection of an {@link InJvmNode}: records what the server sends (its nodes' send window needs no pong). */
final class RecordingClient implements PeerSocket {
    final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    final Set<String> knows = new HashSet<>();
    /** The peers this client was told had left, in order (by {@link #awaitView}). */
    final java.util.List<String> toldLeft = new java.util.ArrayList<>();
    final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    volatile int closedWith;
    Peer peer;
    String id;
    String token;

    @Override
    public void send(String frame) {
        received.incrementAndGet();
        inbox.add(Json.createReader(new StringReader(frame)).readObject());
    }

    @Override
    public void sendPart(String part, boolean last) {
        throw new AssertionError("no message here is larger than a quarter of the send window");
    }

    @Override
    public void ping(long data) {
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code;
    }

    JsonObject poll(Duration wait) throws InterruptedException {
        return inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    JsonObject next(String type) throws InterruptedException {
        JsonObject message = poll(Duration.ofSeconds(5));
        assertNotNull(message, "expected " + type);
        assertEquals(type, message.getString("type"), message::toString);
        return message;
    }

    /** Reads membership events until this client knows all of them. */
    void awaitKnows(Set<String> ids) throws InterruptedException {
        while (!knows.containsAll(ids)) {
            JsonObject message = poll(Duration.ofSeconds(5));
            assertNotNull(message, "still waiting to hear of " + ids + ", knows " + knows);
            switch (message.getString("type")) {
                case "peer-list" -> {
                    if (message.containsKey("peers")) {
                        message.getJsonArray("peers").forEach(p -> knows.add(p.asJsonObject().getString("id")));
                    }
                }
                case "peer-joined" -> knows.add(message.getString("peerId"));
                default -> throw new AssertionError("unexpected " + message);
            }
        }
    }

    /**
     * Applies membership events (peer-list, peer-joined, peer-left) until this client's view is
     * exactly {@code expected}; fails with the difference if it is not within {@code within}.
     */
    void awaitView(Set<String> expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!knows.equals(expected)) {
            JsonObject message = poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (message == null) {
                Set<String> missing = new HashSet<>(expected);
                missing.removeAll(knows);
                Set<String> extra = new HashSet<>(knows);
                extra.removeAll(expected);
                throw new AssertionError("view not right within " + within + ": missing " + missing + ", extra " + extra);
            }
            switch (message.getString("type")) {
                case "peer-list" -> {
                    knows.clear();
                    if (message.containsKey("peers")) {
                        message.getJsonArray("peers").forEach(p -> knows.add(p.asJsonObject().getString("id")));
                    }
                }
                case "peer-joined" -> knows.add(message.getString("peerId"));
                case "peer-left" -> {
                    knows.remove(message.getString("peerId"));
                    toldLeft.add(message.getString("peerId"));
                }
                default -> throw new AssertionError("unexpected " + message);
            }
        }
    }
}
