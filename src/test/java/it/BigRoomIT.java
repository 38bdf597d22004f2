package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room as a new user fills it, at the default settings under {@code -Xmx512m}: 900 peers with
 * 1.5 KB of metadata each (a name and a small avatar), joining in bursts of 50, every client reading
 * at full speed. Each newcomer's peer-list is larger than a peer's 1 MiB queue from the 651st peer
 * on; before, every one of those was closed as a slow consumer (4002) a moment after it joined.
 */
class BigRoomIT {

    private static final int BURST = 50;

    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LibertyServer.start("bigRoom", Map.of("JVM_ARGS", "-Xmx512m"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRoomOf900PeersWithMetadataClosesNobodyWhoReads() throws Exception {
        fill("big-room", 900, 1_500, false);
    }

    /**
     * The largest room the defaults allow: 1 000 peers (topic.max-peers) with 4 KiB of metadata
     * (metadata.max-size), 4 MiB of peer-list for the last one. The clients here share one JVM and
     * read 4 GB between them, more slowly than the server writes: each burst waits for them to
     * have read the one before, as clients on their own machines would have.
     */
    @Test
    void theLargestRoomTheDefaultsAllowWorks() throws Exception {
        fill("largest-room", 1_000, 4_096 - "{\"name\":\"peer\",\"avatar\":\"\"}".length(), true);
    }

    private void fill(String topic, int peers, int avatarChars, boolean readBetweenBursts) throws Exception {
        String metadata = "{\"name\":\"peer\",\"avatar\":\"" + "A".repeat(avatarChars) + "\"}";
        String url = "ws://127.0.0.1:" + server.port() + "/ws/" + topic + "?metadata="
                + URLEncoder.encode(metadata, StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newHttpClient();
        List<Reader> readers = new ArrayList<>();
        try {
            for (int burst = 0; burst < peers / BURST; burst++) {
                List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    Reader reader = new Reader(readers.size());
                    readers.add(reader);
                    opening.add(http.newWebSocketBuilder().buildAsync(URI.create(url), reader));
                }
                for (CompletableFuture<WebSocket> socket : opening) {
                    socket.get(30, TimeUnit.SECONDS);
                }
                // A connection that fails on its way (the JDK client under this load loses one in a
                // few hundred: the server sees it lost, 1011, and the client may never hear of it)
                // gets no welcome and never joins: the room is the peers that did.
                List<Reader> retries = new ArrayList<>();
                for (Reader reader : readers.subList(readers.size() - BURST, readers.size())) {
                    if (!reader.welcomed.await(30, TimeUnit.SECONDS) && reader.failed == null) {
                        reader.failed = new java.util.concurrent.TimeoutException("no welcome");
                    }
                    if (reader.failed != null) { // as a client does: it connects again, once
                        Reader retry = new Reader(readers.size() + retries.size());
                        retries.add(retry);
                        http.newWebSocketBuilder().buildAsync(URI.create(url), retry).get(30, TimeUnit.SECONDS);
                    }
                }
                for (Reader retry : retries) {
                    if (!retry.welcomed.await(30, TimeUnit.SECONDS) && retry.failed == null) {
                        retry.failed = new java.util.concurrent.TimeoutException("no welcome");
                    }
                }
                readers.addAll(retries);
                if (readBetweenBursts) {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    int others = (int) readers.stream().filter(r -> r.failed == null).count() - 1;
                    for (Reader reader : readers) {
                        if (reader.failed == null) {
                            reader.await(others, until);
                        }
                    }
                }
            }
            List<Reader> joined = readers.stream().filter(r -> r.failed == null).toList();
            assertTrue(joined.size() >= peers * 99 / 100, (peers - joined.size()) + " connections failed on their way, twice");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (Reader reader : joined) {
                assertTrue(reader.await(joined.size() - 1, deadline), "peer " + reader.index + " got a peer-list and a "
                        + "peer-joined for every other peer that stayed (" + reader.listed + " + " + reader.joined.get() + " of "
                        + (joined.size() - 1) + "; closed with " + reader.closedWith + ")");
            }
            for (Reader reader : joined) {
                assertEquals(0, reader.closedWith, "peer " + reader.index + " was closed");
            }
        } finally {
            for (Reader reader : readers) {
                if (reader.socket != null) {
                    reader.socket.abort();
                }
            }
        }
    }

    /** Counts what arrives without parsing it: a peer-list's peers, the peer-joined frames, a close. */
    private static final class Reader implements WebSocket.Listener {
        final int index;
        final CountDownLatch welcomed = new CountDownLatch(1);
        volatile Throwable failed;
        final AtomicInteger joined = new AtomicInteger();
        volatile int listed = -1;
        volatile int closedWith;
        volatile WebSocket socket;
        private final StringBuilder message = new StringBuilder();

        Reader(int index) {
            this.index = index;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                if (text.startsWith("{\"type\":\"welcome\"")) {
                    welcomed.countDown();
                } else if (text.startsWith("{\"type\":\"peer-list\"")) {
                    listed = count(text, "\"id\":");
                } else if (text.startsWith("{\"type\":\"peer-joined\"")) {
                    joined.incrementAndGet();
                }
                synchronized (this) {
                    notifyAll();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedWith = statusCode;
            synchronized (this) {
                notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failed = error;
            welcomed.countDown();
        }

        /** Waits until the peer-list and the peer-joined frames list {@code others} peers, or it was closed. */
        synchronized boolean await(int others, long deadline) throws InterruptedException {
            while (listed < 0 || listed + joined.get() < others) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closedWith != 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        private static int count(String text, String needle) {
            int n = 0;
            for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
                n++;
            }
            return n;
        }
    }
}
