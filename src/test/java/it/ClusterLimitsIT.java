package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits that hold across the cluster, with two Liberty nodes on one real Redis: a topic's
 * peers, a token subject's connections, and (on each node) a client address's handshakes, under
 * twenty joins at once through both nodes, repeated; and the places of a node killed with -9
 * coming back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLimitsIT {

    private static final int MAX_PEERS = 2;
    private static final int USER_MAX = 3;
    private static final int BURST = 4;
    private static final AtomicInteger ADDRESSES = new AtomicInteger();
    private static RedisServer redis;
    private static LibertyServer a;
    private static LibertyServer b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        Map<String, String> env = new HashMap<>(ClusterContract.env(redis));
        env.putAll(AuthContract.ENV);
        env.put("SIGNALING_MAX_CONNECTIONS", "1000");
        env.put("SIGNALING_TOPIC_MAX_PEERS", "1000"); // the tokens say 2
        env.put("SIGNALING_USER_MAX_CONNECTIONS", String.valueOf(USER_MAX));
        env.put("SIGNALING_HANDSHAKE_ADDRESS_RATE", "1");
        env.put("SIGNALING_HANDSHAKE_ADDRESS_BURST", String.valueOf(BURST));
        env.put("SIGNALING_HANDSHAKE_TRUSTED_PROXIES", "127.0.0.1");
        a = LibertyServer.launch("limitsA", env);
        b = LibertyServer.launch("limitsB", env);
        assertTrue(a.awaitSynced(Duration.ofSeconds(120)), "node A ready");
        assertTrue(b.awaitSynced(Duration.ofSeconds(120)), "node B ready");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (LibertyServer server : new LibertyServer[] {a, b}) {
            if (server != null) {
                server.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A 1:1 call's room: tokens that say max_peers 2, twenty joins at once, half on each node, ten times. */
    @Test
    @Order(1)
    void aRoomForTwoHoldsTwoOnTwoNodes() throws Exception {
        for (int round = 0; round < 10; round++) {
            String topic = "call-" + round + "-" + UUID.randomUUID();
            List<Outcome> outcomes = atOnce(20, i -> connect(i % 2 == 0 ? a : b, topic,
                    token("caller-" + i, Map.of("max_peers", MAX_PEERS)), newAddress()));
            try {
                assertEquals(MAX_PEERS, outcomes.stream().filter(Outcome::admitted).count(), "round " + round + ": " + outcomes);
                assertTrue(outcomes.stream().allMatch(o -> o.admitted() || o.status() == 409 || o.closeCode() == 4409),
                        "the others get 409, or 4409 after their upgrade: " + outcomes);
            } finally {
                outcomes.forEach(Outcome::close);
            }
        }
    }

    /** One subject, twenty connections at once to twenty topics through both nodes, three times. */
    @Test
    @Order(2)
    void aUserHasItsConnectionsOnAllNodesTogether() throws Exception {
        for (int round = 0; round < 3; round++) {
            String token = token("user-" + round + "-" + UUID.randomUUID(), Map.of());
            List<Outcome> outcomes = atOnce(20, i -> connect(i % 2 == 0 ? a : b, "room-" + UUID.randomUUID(), token,
                    newAddress()));
            try {
                assertEquals(USER_MAX, outcomes.stream().filter(Outcome::admitted).count(), "round " + round + ": " + outcomes);
                assertTrue(outcomes.stream().allMatch(o -> o.admitted() || o.status() == 429 || o.closeCode() == 4429),
                        "the others get 429, or 4429 after their upgrade: " + outcomes);
            } finally {
                outcomes.forEach(Outcome::close);
            }
        }
    }

    /** Twenty handshakes at once from one address (behind the trusted proxy), half to each node. */
    @Test
    @Order(3)
    void anAddressHasItsBurstOnEachNode() throws Exception {
        String address = newAddress();
        long start = System.nanoTime();
        List<Outcome> outcomes = atOnce(20, i -> connect(i % 2 == 0 ? a : b, "busy-" + UUID.randomUUID(),
                token("busy-" + i, Map.of()), address));
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            for (int node = 0; node < 2; node++) {
                int n = node;
                long admitted = java.util.stream.IntStream.range(0, 20).filter(i -> i % 2 == n)
                        .filter(i -> outcomes.get(i).admitted()).count();
                assertTrue(admitted >= BURST && admitted <= BURST + Math.ceil(seconds),
                        "node " + n + ": " + admitted + " in " + seconds + " s: " + outcomes);
            }
            assertTrue(outcomes.stream().allMatch(o -> o.admitted() || o.status() == 429), outcomes.toString());
        } finally {
            outcomes.forEach(Outcome::close);
        }
    }

    /** Node B killed with -9: its peer's place in the room and its user's connections come back. */
    @Test
    @Order(4)
    void theKilledNodesPlacesComeBack() throws Exception {
        String topic = "killed-" + UUID.randomUUID();
        String call = token("kill-caller", Map.of("max_peers", MAX_PEERS));
        String user = token("kill-user-" + UUID.randomUUID(), Map.of());
        List<Outcome> held = new ArrayList<>();
        try {
            held.add(connect(a, topic, call, newAddress()));
            held.add(connect(b, topic, call, newAddress()));
            held.add(connect(a, "u-" + UUID.randomUUID(), user, newAddress()));
            held.add(connect(b, "u-" + UUID.randomUUID(), user, newAddress()));
            held.add(connect(b, "u-" + UUID.randomUUID(), user, newAddress()));
            assertTrue(held.stream().allMatch(Outcome::admitted), held.toString());
            Outcome full = connect(a, topic, call, newAddress());
            full.close();
            assertTrue(!full.admitted(), "the room is full while B's peer is in it: " + full);
            long killedAt = System.nanoTime();
            b.kill9();
            Outcome third = awaitAdmitted(() -> connect(a, topic, call, newAddress()));
            held.add(third);
            long roomMs = (System.nanoTime() - killedAt) / 1_000_000;
            held.add(awaitAdmitted(() -> connect(a, "u-" + UUID.randomUUID(), user, newAddress())));
            held.add(awaitAdmitted(() -> connect(a, "u-" + UUID.randomUUID(), user, newAddress())));
            long userMs = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.println("places back after kill -9: room " + roomMs + " ms, user " + userMs + " ms");
        } finally {
            held.forEach(Outcome::close);
        }
    }

    private static Outcome awaitAdmitted(java.util.function.Supplier<Outcome> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Outcome last = null;
        while (System.nanoTime() < deadline) {
            last = attempt.get();
            if (last.admitted()) {
                return last;
            }
            Thread.sleep(250); // polling: the dead node's cleanup runs on a timer
        }
        throw new AssertionError("no place came back: " + last);
    }

    private static List<Outcome> atOnce(int n, IntFunction<Outcome> attempt) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    go.await();
                    return attempt.apply(index);
                }));
            }
            go.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }

    private static String newAddress() {
        int n = ADDRESSES.incrementAndGet();
        return "198.51." + (n / 250) + "." + (1 + n % 250);
    }

    private static String token(String subject, Map<String, Object> claims) {
        try {
            return AuthContract.token(subject, 600, claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer to a handshake: an HTTP status, or a 101 and then a welcome (admitted) or a close frame. */
    record Outcome(int status, int closeCode, RawWebSocket socket) {
        private static final Pattern REFUSED = Pattern.compile("handshake refused: HTTP/1.1 (\\d{3})");

        boolean admitted() {
            return socket != null;
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // gone already
                }
            }
        }

        @Override
        public String toString() {
            return admitted() ? "admitted" : status == 101 ? "closed " + closeCode : "HTTP " + status;
        }
    }

    private static Outcome connect(ServerProcess node, String topic, String token, String address) {
        try {
            RawWebSocket ws = new RawWebSocket(URI.create(node.wsBase() + "ws/" + topic), 0,
                    "Authorization: Bearer " + token + "\r\nX-Forwarded-For: " + address + "\r\n");
            RawWebSocket.Frame first = ws.readMessage();
            if (first.opcode() == 8) {
                ws.close();
                return new Outcome(101, first.closeCode(), null);
            }
            return new Outcome(101, 0, ws);
        } catch (IOException e) {
            Matcher refused = Outcome.REFUSED.matcher(String.valueOf(e.getMessage()));
            if (refused.find()) {
                return new Outcome(Integer.parseInt(refused.group(1)), 0, null);
            }
            throw new UncheckedIOException(e);
        }
    }
}
