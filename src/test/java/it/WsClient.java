package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A real WebSocket client (the JDK's) that queues what it receives, so that tests assert on their
 * own thread. It answers pings, as browsers do.
 */
final class WsClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    final String selfId;

    private WsClient(URI uri, String... subprotocols) {
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(Json.createReader(new StringReader(partial.toString())).readObject());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete(-1);
            }
        };
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(uri, listener).join();
        JsonObject welcome = next();
        assertEquals("welcome", welcome.getString("type"), "the first message is welcome");
        this.selfId = welcome.getString("selfId");
    }

    /** Connects to /ws/{topic} and waits for welcome (the peer-list is left in the queue). */
    static WsClient connect(String wsBase, String topic) {
        return new WsClient(URI.create(wsBase + "ws/" + topic));
    }

    /** As {@link #connect(String, String)}, offering these subprotocols (Sec-WebSocket-Protocol). */
    static WsClient connect(String wsBase, String topic, String... subprotocols) {
        return new WsClient(URI.create(wsBase + "ws/" + topic), subprotocols);
    }

    void send(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    void send(String type, String to, String payloadJson, String msgId) {
        send("{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"payload\":" + payloadJson
                + ",\"msgId\":\"" + msgId + "\"}");
    }

    /** One message in several frames. */
    void sendParts(java.util.List<String> parts) {
        for (int i = 0; i < parts.size(); i++) {
            socket.sendText(parts.get(i), i == parts.size() - 1).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
    }

    void sendBinary(byte[] data) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(data), true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next message, failing the test if none arrives in time. */
    JsonObject next() {
        try {
            JsonObject message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(message, "no message within " + WAIT);
            return message;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next message, which must be of that type. */
    JsonObject next(String type) {
        JsonObject message = next();
        assertEquals(type, message.getString("type"), () -> "unexpected " + message);
        return message;
    }

    /** Skips messages until one of that type arrives. */
    JsonObject await(String type) {
        while (true) {
            JsonObject message = next();
            if (type.equals(message.getString("type"))) {
                return message;
            }
        }
    }

    /** The message, if any, that arrives within {@code wait}; null otherwise. */
    JsonObject poll(Duration wait) throws InterruptedException {
        return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The close code the server sent (-1 for a connection dropped without one). */
    int closeCode() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** A clean close: close frame, and the server's answer awaited briefly, so the server sees 1000. */
    @Override
    public void close() {
        close(WebSocket.NORMAL_CLOSURE);
    }

    /** A close with that code; the server's answer awaited briefly. */
    void close(int code) {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(code, "bye").get(2, TimeUnit.SECONDS);
            }
            closed.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closed already, or the server did not answer: abort below
        } finally {
            socket.abort();
        }
    }
}
