package org.lanscape.signaling.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One protocol client of the load tool: JDK WebSocket, sends chained so that one is in flight at a
 * time, messages handed to a callback as text (the tool reads the few fields it needs by hand).
 */
final class LoadClient {

    private volatile WebSocket socket;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    volatile String id;
    volatile String resumeToken;
    /** The close code the server sent, once the connection closed (-1 for an error). */
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Completed by the next pong: the answer to {@link #ping()}. */
    private volatile CompletableFuture<Void> pong = new CompletableFuture<>();

    private LoadClient() {
    }

    /** Connects and completes once welcome has arrived; every later message goes to onMessage. */
    static CompletableFuture<LoadClient> connect(HttpClient http, URI uri, BiConsumer<LoadClient, String> onMessage) {
        CompletableFuture<String> welcome = new CompletableFuture<>();
        LoadClient self = new LoadClient(); // exists before the first message: the id is set on welcome
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    if (self.id == null) {
                        self.id = field(text, "selfId");
                        self.resumeToken = field(text, "resumeToken");
                        welcome.complete(self.id);
                    } else {
                        onMessage.accept(self, text);
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket ws, java.nio.ByteBuffer message) {
                self.pong.complete(null);
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                welcome.completeExceptionally(new IllegalStateException("closed " + code));
                self.closed.complete(code);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                welcome.completeExceptionally(error);
                self.closed.complete(-1);
            }
        };
        return http.newWebSocketBuilder().buildAsync(uri, listener).thenCompose(ws -> {
            self.socket = ws;
            return welcome.thenApply(id -> self);
        });
    }

    synchronized void send(String text) {
        WebSocket ws = socket;
        sending = sending.thenCompose(x -> ws.sendText(text, true));
    }

    void relay(String type, String to, String payload, String msgId) {
        send("{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"payload\":" + payload + ",\"msgId\":\"" + msgId + "\"}");
    }

    /** Sends a ping (so that the server reads a frame from this connection); completes on its pong. */
    CompletableFuture<Void> ping() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        pong = answered;
        synchronized (this) {
            WebSocket ws = socket;
            sending = sending.thenCompose(x -> ws.sendPing(java.nio.ByteBuffer.wrap(new byte[] {1})));
        }
        return answered;
    }

    void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
    }

    /** Drops the connection without a close frame, as a network failure would. */
    void abort() {
        socket.abort();
    }

    /** The string value of a top-level field, read by hand: fast, and enough for our own frames. */
    static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int at = json.indexOf(key);
        if (at < 0) {
            return null;
        }
        int from = at + key.length();
        return json.substring(from, json.indexOf('"', from));
    }
}
