package it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.redis.RedisBus;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.SessionResume;
import org.lanscape.signaling.topic.TopicRegistry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session resume across nodes, at the level of the topic registry and the Redis bus: three nodes
 * in this JVM (each a {@link TopicRegistry} with its own {@link RedisBus}) share one real
 * redis-server. A peer whose connection was lost on n1 comes back on n2 with its token: same id,
 * the relays sent to it meanwhile from every node, in each sender's order, nobody saw it leave,
 * and afterwards every node reaches it on n2. (ClusterIT does the same end to end with two
 * Liberty servers and a cut TCP connection.)
 */
class SessionHandOverIT {

        private static RedisServer redis;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> redisConnection;

    private InJvmNode n1;
    private InJvmNode n2;
    private InJvmNode n3;
    private String topic;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        inspector = RedisClient.create(redis.url());
        redisConnection = inspector.connect();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (inspector != null) {
            redisConnection.close();
            inspector.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void startNodes() throws Exception {
        n1 = InJvmNode.start(redis.url(), "n1-" + UUID.randomUUID(), Duration.ofSeconds(3));
        n2 = InJvmNode.start(redis.url(), "n2-" + UUID.randomUUID(), Duration.ofSeconds(3));
        n3 = InJvmNode.start(redis.url(), "n3-" + UUID.randomUUID(), Duration.ofSeconds(3));
        topic = "h-" + UUID.randomUUID();
    }

    @AfterEach
    void stopNodes() {
        for (InJvmNode node : new InJvmNode[] {n1, n2, n3}) {
            if (node != null) {
                node.bus().stop();
            }
        }
    }

    private RecordingClient join(InJvmNode node) throws Exception {
        RecordingClient client = new RecordingClient();
        client.peer = node.registry().join(topic, null, "req", client, true, Credentials.NONE);
        JsonObject welcome = client.next("welcome");
        client.id = welcome.getString("selfId");
        client.token = welcome.getString("resumeToken");
        return client;
    }

    /** Every client hears of every other one (presence travels through Redis asynchronously). */
    private static void meet(RecordingClient... clients) throws InterruptedException {
        for (RecordingClient client : clients) {
            Set<String> others = new HashSet<>();
            for (RecordingClient other : clients) {
                if (other != client) {
                    others.add(other.id);
                }
            }
            client.awaitKnows(others);
        }
    }

    private static void relay(InJvmNode node, RecordingClient from, RecordingClient to, String msgId) {
        node.registry().relays().relay(from.peer, "offer", to.id, RawJson.of("{\"n\":1}"), RawJson.of("\"" + msgId + "\""),
                System.nanoTime());
    }

    private static RecordingClient resume(InJvmNode node, String topic, String token, SessionResume.Outcome[] outcome) {
        return resume(node, topic, token, -1, outcome);
    }

    private static RecordingClient resume(InJvmNode node, String topic, String token, long received,
                                 SessionResume.Outcome[] outcome) {
        RecordingClient client = new RecordingClient();
        client.peer = node.registry().resumes().resume(token, received, topic, "req-2", client, Credentials.NONE, outcome);
        return client;
    }

    /** An offer from {@code from} (on {@code node}) to {@code to}, as {@code node}'s bus publishes it on a node channel. */
    private JsonObject relayMessage(InJvmNode node, RecordingClient from, String to, String msgId) {
        String frame = "{\"type\":\"offer\",\"from\":\"" + from.id + "\",\"payload\":{},\"msgId\":\"" + msgId + "\"}";
        return Json.createObjectBuilder().add("k", "relay").add("node", node.id()).add("topic", topic).add("from", from.id)
                .add("to", to).add("frame", frame).add("msgId", "\"" + msgId + "\"").build();
    }

    /** Reads n relays and returns their msgIds, in arrival order. */
    private static List<String> relays(RecordingClient client, int n) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(client.next("offer").getString("msgId"));
        }
        return ids;
    }

    private static List<String> from(List<String> msgIds, String prefix) {
        return msgIds.stream().filter(id -> id.startsWith(prefix)).toList();
    }

    private static String nodeOfToken(String token) {
        return new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    }

    /** The next n membership events, as "type peerId" (events from different nodes may interleave). */
    private static Set<String> events(RecordingClient client, int n) throws InterruptedException {
        Set<String> events = new HashSet<>();
        for (int i = 0; i < n; i++) {
            JsonObject message = client.poll(Duration.ofSeconds(5));
            assertNotNull(message, "expected a membership event");
            events.add(message.getString("type") + " " + message.getString("peerId", "?"));
        }
        return events;
    }

    private static void assertQuiet(RecordingClient... clients) throws InterruptedException {
        for (RecordingClient client : clients) {
            assertNull(client.poll(Duration.ofMillis(300)), "no peer-left, peer-joined or error");
        }
    }

    @Test
    void aSessionLostOnOneNodeResumesOnAnotherWithEverythingSentMeanwhile() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient s = join(n1);
        RecordingClient q = join(n2);
        RecordingClient r = join(n3);
        meet(p, s, q, r);

        n1.registry().sessions().connectionLost(p.peer);
        for (int i = 0; i < 3; i++) {
            relay(n1, s, p, "s" + i);
            relay(n2, q, p, "q" + i);
            relay(n3, r, p, "r" + i);
        }
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        RecordingClient back = resume(n2, topic, p.token, outcome);

        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        JsonObject welcome = back.next("welcome");
        assertEquals(p.id, welcome.getString("selfId"), "the same peer id");
        assertEquals(n2.id(), nodeOfToken(welcome.getString("resumeToken")), "the new token is n2's");
        back.awaitKnows(Set.of(s.id, q.id, r.id));
        // Relays from n2 and n3 may still be on their way to n1 when the claim arrives: those are
        // sent on after the hand-over. Every one arrives, each sender's in its order.
        List<String> received = relays(back, 9);
        assertEquals(List.of("s0", "s1", "s2"), from(received, "s"));
        assertEquals(List.of("q0", "q1", "q2"), from(received, "q"));
        assertEquals(List.of("r0", "r1", "r2"), from(received, "r"));
        assertQuiet(s, q, r);

        assertTrue(redisConnection.sync().hget("sig:{t:" + topic + "}:members", p.id).contains(n2.id()),
                "presence names n2");
        assertEquals(1, n1.registry().topics().peerCount(), "n1 holds only s now");

        // afterwards every node reaches it on n2, and it reaches every node
        back.id = p.id;
        relay(n1, s, back, "after-s");
        relay(n2, q, back, "after-q");
        relay(n3, r, back, "after-r");
        assertEquals(Set.of("after-s", "after-q", "after-r"), new HashSet<>(relays(back, 3)));
        relay(n2, back, s, "to-s");
        relay(n2, back, r, "to-r");
        assertEquals(p.id, s.next("offer").getString("from"));
        assertEquals(p.id, r.next("offer").getString("from"));

        // the used token is refused, wherever it is tried
        SessionResume.Outcome[] again = new SessionResume.Outcome[1];
        assertNull(resume(n3, topic, p.token, again).peer);
        assertEquals(SessionResume.Outcome.INVALID, again[0]);

        // a newcomer sees it, and when it leaves on n2 everyone hears it once
        RecordingClient late = join(n3);
        late.awaitKnows(Set.of(p.id, s.id, q.id, r.id));
        n2.registry().leave(back.peer);
        for (RecordingClient other : new RecordingClient[] {s, q, r}) {
            assertEquals(Set.of("peer-joined " + late.id, "peer-left " + p.id), events(other, 2));
        }
        assertEquals(Set.of("peer-left " + p.id), events(late, 1));
        assertQuiet(s, q, r, late);
    }

    /**
     * A session from another node takes a place, as a join does (a rolling restart must not push the
     * remaining nodes past their cap): a full node refuses it before claiming it, and it stays
     * resumable where it was.
     */
    @Test
    void aFullNodeRefusesASessionFromAnotherNodeWhichStaysResumable() throws Exception {
        InJvmNode full = InJvmNode.start(redis.url(), "full-" + UUID.randomUUID(), Duration.ofSeconds(3), 1);
        try {
            join(full); // its one place
            RecordingClient p = join(n1);
            RecordingClient s = join(n1);
            meet(p, s);
            n1.registry().sessions().connectionLost(p.peer);
            SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
            assertNull(resume(full, topic, p.token, outcome).peer);
            assertEquals(SessionResume.Outcome.FULL, outcome[0]);
            assertEquals(1, full.registry().topics().peerCount(), "the cap held");
            RecordingClient back = resume(n2, topic, p.token, outcome);
            assertEquals(SessionResume.Outcome.RESUMED, outcome[0], "the session was left where it was");
            assertEquals(p.id, back.next("welcome").getString("selfId"));
        } finally {
            full.bus().stop();
        }
    }

    @Test
    void aResumeOnAnotherNodeGetsAgainWhatTheLostConnectionSwallowed() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient s = join(n1);
        meet(p, s);
        relay(n1, s, p, "seen");
        p.next("offer");
        relay(n1, s, p, "swallowed");
        p.next("offer"); // written to p's connection, which then died before the client read it
        long received = p.received.get() - 1;
        n1.registry().sessions().connectionLost(p.peer);
        relay(n1, s, p, "held");

        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        RecordingClient back = resume(n2, topic, p.token, received, outcome);
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        assertEquals(p.id, back.next("welcome").getString("selfId"));
        back.awaitKnows(Set.of(s.id));
        assertEquals(List.of("swallowed", "held"), relays(back, 2));
        assertQuiet(back, s);
    }

    @Test
    void aRelayThatReachesTheOldNodeIsSentOnOnce() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient r = join(n3);
        meet(p, r);
        n1.registry().sessions().connectionLost(p.peer);
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        RecordingClient back = resume(n2, topic, p.token, outcome);
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        back.next("welcome");
        back.awaitKnows(Set.of(r.id));
        assertEquals(0, n1.registry().topics().count(), "its last local peer moved away: n1 closed the topic");

        // what a node whose view is behind sends: the relay goes to n1, which sends it on to n2
        JsonObject relay = relayMessage(n3, r, p.id, "stale");
        redisConnection.sync().publish("sig:node:" + n1.id(), relay.toString());
        assertEquals("stale", back.next("offer").getString("msgId"));

        // sent on once only: one that was sent on already and still misses comes back as an error
        redisConnection.sync().publish("sig:node:" + n1.id(),
                Json.createObjectBuilder(relay).add("hop", 1).add("msgId", "\"lost\"").build().toString());
        JsonObject error = r.next("error");
        assertEquals("target_not_found", error.getString("code"));
        assertEquals("lost", error.getString("msgId"));
    }

    /**
     * On a Redis Cluster the owner's move (on the topic's shard) can reach a third node before its
     * hand-over (on the claimant's shard) reaches the claimant, and that node's relay with it: the
     * claimant, which does not know the peer yet, keeps the relay until its claim in the topic ends,
     * and delivers it after the session. (Before: target_not_found for a peer that was arriving.)
     */
    @Test
    void aRelayThatReachesTheClaimantBeforeTheHandOverWaitsForIt() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient r = join(n3);
        RecordingClient s = join(n2);
        meet(p, r, s);
        n1.registry().sessions().connectionLost(p.peer);
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        CompletableFuture<RecordingClient> resumed;
        synchronized (p.peer.session()) { // n1's hand-over waits for this lock: n2's claim stays pending
            resumed = CompletableFuture.supplyAsync(() -> resume(n2, topic, p.token, outcome));
            awaitBlockedOnMyLock(); // n1 got the claim: n2 sent it, so n2 has it pending

            redisConnection.sync().publish("sig:node:" + n2.id(), relayMessage(n3, r, p.id, "early").toString());
            // one to s, on the same channel and topic after it: once s has it, n2 has handled the first
            redisConnection.sync().publish("sig:node:" + n2.id(), relayMessage(n3, r, s.id, "marker").toString());
            assertEquals("marker", s.next("offer").getString("msgId"));
        }
        RecordingClient back = resumed.get(InJvmNode.REDIS_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        assertEquals(p.id, back.next("welcome").getString("selfId"));
        back.next("peer-list");
        assertEquals("early", back.next("offer").getString("msgId"), "delivered after the session arrived");
        assertQuiet(r, s);
    }

    /** Waits until another thread is blocked on a monitor this thread holds. */
    private static void awaitBlockedOnMyLock() throws InterruptedException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getLockOwnerId() == me) {
                    return;
                }
            }
            Thread.sleep(5); // polling the JVM's thread states: there is no event for "blocked"
        }
        throw new AssertionError("nobody came to wait for this thread's lock");
    }

    @Test
    void aTokenClaimedOnTwoNodesAtOnceResumesOnOne() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient s = join(n1);
        meet(p, s);
        n1.registry().sessions().connectionLost(p.peer);
        SessionResume.Outcome[] on2 = new SessionResume.Outcome[1];
        SessionResume.Outcome[] on3 = new SessionResume.Outcome[1];
        CompletableFuture<RecordingClient> first = CompletableFuture.supplyAsync(() -> resume(n2, topic, p.token, on2));
        CompletableFuture<RecordingClient> second = CompletableFuture.supplyAsync(() -> resume(n3, topic, p.token, on3));
        RecordingClient a = first.get(10, TimeUnit.SECONDS);
        RecordingClient b = second.get(10, TimeUnit.SECONDS);

        Map<SessionResume.Outcome, Integer> outcomes = new HashMap<>();
        outcomes.merge(on2[0], 1, Integer::sum);
        outcomes.merge(on3[0], 1, Integer::sum);
        assertEquals(Map.of(SessionResume.Outcome.RESUMED, 1, SessionResume.Outcome.INVALID, 1), outcomes);
        RecordingClient winner = a.peer != null ? a : b;
        assertEquals(p.id, winner.next("welcome").getString("selfId"));
        assertQuiet(s);
    }

    @Test
    void anExpiredSessionOrAGoneNodeIsNotResumed() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient r = join(n3);
        meet(p, r);
        n1.registry().sessions().connectionLost(p.peer);
        n1.registry().sessions().expireIfDue(p.peer, System.nanoTime() + Duration.ofMinutes(5).toNanos()); // the watchdog, once the grace period is over
        assertEquals(p.id, r.next("peer-left").getString("peerId"));

        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertNull(resume(n2, topic, p.token, outcome).peer);
        assertEquals(SessionResume.Outcome.EXPIRED, outcome[0]);

        String nobody = Base64.getUrlEncoder().withoutPadding().encodeToString("no-such-node".getBytes(StandardCharsets.UTF_8))
                + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assertNull(resume(n2, topic, nobody, outcome).peer);
        assertEquals(SessionResume.Outcome.EXPIRED, outcome[0], "nobody answers for that node");
        assertNull(resume(n2, topic, "not a token", outcome).peer);
        assertEquals(SessionResume.Outcome.INVALID, outcome[0]);
        assertQuiet(r);
    }

    @Test
    void aTokenIsBoundToItsTopicAcrossNodes() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient s = join(n1);
        meet(p, s);
        n1.registry().sessions().connectionLost(p.peer);
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertNull(resume(n2, "other-" + topic, p.token, outcome).peer);
        assertEquals(SessionResume.Outcome.INVALID, outcome[0]);
        // the refusal did not use the token up
        RecordingClient back = resume(n2, topic, p.token, outcome);
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        JsonObject welcome = back.next("welcome");
        assertEquals(p.id, welcome.getString("selfId"));
        assertNotEquals(p.token, welcome.getString("resumeToken"));
    }

    /**
     * The owner answers after the claimant gave up (here: the test holds the session's lock past the
     * claim timeout): the client got a new session, so the old one ends, and everyone sees it leave.
     */
    /** ... and the relays held for it go with the hand-over, with their senders: each is answered dropped, none lost in silence. */
    @Test
    void aHandOverThatArrivesAfterTheClaimGaveUpEndsTheSession() throws Exception {
        RecordingClient p = join(n1);
        RecordingClient r = join(n3);
        RecordingClient q = join(n1);
        meet(p, r, q);
        n1.registry().sessions().connectionLost(p.peer);
        relay(n1, q, p, "held-1"); // held for p on n1 (a local sender: held before the claim, in order)
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        RecordingClient back;
        synchronized (p.peer.session()) { // n1's hand-over waits for this lock
            back = CompletableFuture.supplyAsync(() -> resume(n2, topic, p.token, outcome))
                    .get(InJvmNode.REDIS_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        }
        assertNull(back.peer);
        assertEquals(SessionResume.Outcome.EXPIRED, outcome[0]);
        assertEquals(p.id, r.next("peer-left").getString("peerId"), "the session handed over too late ends");
        java.util.Map<String, JsonObject> toQ = new java.util.HashMap<>(); // from two channels: in either order
        for (int i = 0; i < 2; i++) {
            JsonObject message = q.poll(Duration.ofSeconds(5));
            assertNotNull(message, "expected peer-left and an error, got " + toQ.keySet());
            toQ.put(message.getString("type"), message);
        }
        assertEquals(p.id, toQ.get("peer-left").getString("peerId"));
        JsonObject dropped = toQ.get("error");
        assertNotNull(dropped, "an error for the held relay: " + toQ);
        assertEquals("dropped", dropped.getString("code"), "the relay held for it is answered, from the node that had it last");
        assertEquals("held-1", dropped.getString("msgId"));
        assertQuiet(r, q);
        assertNull(redisConnection.sync().hget("sig:{t:" + topic + "}:members", p.id), "and its presence with it");
        assertEquals(0, n2.registry().topics().peerCount());
    }
}
