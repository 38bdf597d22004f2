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

    private final WebSocket socket;
    private final CompletableFuture<String> welcome;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    volatile String id;

    private LoadClient(WebSocket socket, CompletableFuture<String> welcome) {
        this.socket = socket;
        this.welcome = welcome;
    }

    /** Connects and completes once welcome has arrived; every later message goes to onMessage. */
    static CompletableFuture<LoadClient> connect(HttpClient http, URI uri, BiConsumer<LoadClient, String> onMessage) {
        CompletableFuture<String> welcome = new CompletableFuture<>();
        LoadClient[] self = new LoadClient[1];
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    if (!welcome.isDone()) {
                        welcome.complete(field(text, "selfId"));
                    } else {
                        onMessage.accept(self[0], text);
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                welcome.completeExceptionally(new IllegalStateException("closed " + code));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                welcome.completeExceptionally(error);
            }
        };
        return http.newWebSocketBuilder().buildAsync(uri, listener).thenCompose(ws -> {
            LoadClient client = new LoadClient(ws, welcome);
            self[0] = client;
            return welcome.thenApply(id -> {
                client.id = id;
                return client;
            });
        });
    }

    synchronized void send(String text) {
        sending = sending.thenCompose(x -> socket.sendText(text, true));
    }

    void relay(String type, String to, String payload, String msgId) {
        send("{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"payload\":" + payload + ",\"msgId\":\"" + msgId + "\"}");
    }

    void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
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
