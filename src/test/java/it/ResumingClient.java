package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A client that does what client/signaling-client.js does about its session: it asks for a
 * resumable one, counts the frames each connection brought, and when a connection closes (1012,
 * or lost) it reconnects with {@code ?resume=<token>&received=<n>}: at once within 250 ms after
 * 1012, else within 100 ms (or after a delay the test gives, or never); a refused handshake (a node
 * that is stopping answers 503) is tried again.
 * Everything it receives, over all its connections, is queued in order.
 */
final class ResumingClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String wsBase;
    private final String topic;
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    /** The selfId of each welcome, in order. */
    final List<String> welcomes = new CopyOnWriteArrayList<>();
    /** The close code of each connection that ended, in order. */
    final List<Integer> closes = new CopyOnWriteArrayList<>();
    /** When each connection ended, and when each welcome came (nanoTime). */
    final List<Long> closedAt = new CopyOnWriteArrayList<>();
    final List<Long> welcomedAt = new CopyOnWriteArrayList<>();
    private volatile WebSocket socket;
    private volatile String token;
    private volatile long framesOnConnection;
    private volatile boolean closedByTest;

    /** How long it waits before it comes back after 1012: null for a random 0-250 ms, negative for never. */
    private volatile Duration restartDelay;

    private ResumingClient(String wsBase, String topic, Duration restartDelay) {
        this.wsBase = wsBase;
        this.topic = topic;
        this.restartDelay = restartDelay;
    }

    /** Connects through that base URL and waits for the welcome. */
    static ResumingClient connect(String wsBase, String topic) throws InterruptedException {
        return connect(wsBase, topic, null);
    }

    /** As {@link #connect(String, String)}, coming back after 1012 only after that delay (negative: never). */
    static ResumingClient connect(String wsBase, String topic, Duration restartDelay) throws InterruptedException {
        ResumingClient client = new ResumingClient(wsBase, topic, restartDelay);
        client.open(URI.create(wsBase + "ws/" + topic + "?resumable=true"));
        long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
        while (client.welcomes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5); // the welcome comes on the client's own thread
        }
        if (client.welcomes.isEmpty()) {
            throw new IllegalStateException("no welcome");
        }
        return client;
    }

    /** From now on, comes back after 1012 only after that delay (negative: never). */
    void comeBackAfter(Duration delay) {
        restartDelay = delay;
    }

    String selfId() {
        return welcomes.get(welcomes.size() - 1);
    }

    private void open(URI uri) {
        framesOnConnection = 0;
        StringBuilder partial = new StringBuilder();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    framesOnConnection++;
                    JsonObject message = Json.createReader(new StringReader(partial.toString())).readObject();
                    partial.setLength(0);
                    if ("welcome".equals(message.getString("type"))) {
                        token = message.getString("resumeToken", null);
                        welcomedAt.add(System.nanoTime());
                        welcomes.add(message.getString("selfId"));
                    }
                    received.add(message);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, ""); // the closing handshake, as a browser completes it
                if (ended.complete(null)) {
                    ended(statusCode);
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                if (ended.complete(null)) {
                    ended(1006);
                }
            }
        };
        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, listener).join();
    }

    private void ended(int code) {
        closedAt.add(System.nanoTime());
        closes.add(code);
        if (closedByTest || token == null) {
            return;
        }
        long frames = framesOnConnection;
        String resumeToken = token;
        if (restartDelay != null && restartDelay.isNegative()) {
            return; // a client that never comes back
        }
        long firstDelay = restartDelay != null ? restartDelay.toMillis()
                : ThreadLocalRandom.current().nextLong((code == 1012 ? 250 : 100) + 1);
        Thread reconnect = new Thread(() -> reconnect(resumeToken, frames, firstDelay), "resume");
        reconnect.setDaemon(true);
        reconnect.start();
    }

    private void reconnect(String resumeToken, long frames, long firstDelayMillis) {
        URI uri = URI.create(wsBase + "ws/" + topic + "?resume=" + resumeToken + "&received=" + frames);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long delay = firstDelayMillis;
        while (!closedByTest && System.nanoTime() < deadline) {
            try {
                Thread.sleep(delay);
                open(uri);
                return;
            } catch (RuntimeException refused) {
                delay = 100; // 503 from a node that is stopping, or no node ready: try again
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends a relay; false if there is no open connection to send it on. */
    boolean send(String type, String to, String payloadJson, String msgId) {
        WebSocket current = socket;
        try {
            current.sendText("{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"payload\":" + payloadJson
                    + ",\"msgId\":\"" + msgId + "\"}", true).get(5, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Everything received so far, over all connections, taken from the queue. */
    List<JsonObject> drain() {
        List<JsonObject> all = new java.util.ArrayList<>();
        received.drainTo(all);
        return all;
    }

    /** The next message, waiting at most that long; null if none came. */
    JsonObject poll(Duration wait) throws InterruptedException {
        return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closedByTest = true;
        try {
            socket.sendClose(1000, "bye").get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            socket.abort();
        }
    }
}
