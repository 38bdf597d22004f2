package it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.SessionResume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node's resync does with what happens while it runs, and with what happened while Redis
 * was out of reach: node n1 reaches a real redis-server through a proxy (a millisecond each way,
 * as a network; cut and restored as a partition), n2 reaches it directly. Node TTL 10 s: nobody is
 * taken for dead here unless a test says so.
 */
class ClusterResyncIT {

    private static final Duration NODE_TTL = Duration.ofSeconds(10);

    private RedisServer redis;
    private LatencyProxy network;
    private RedisClient inspector;
    private StatefulRedisConnection<String, String> inspect;
    private final List<InJvmNode> nodes = new ArrayList<>();
    private InJvmNode n1;
    private InJvmNode n2;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        network = new LatencyProxy(redis.port(), 1000);
        inspector = RedisClient.create(redis.url());
        inspect = inspector.connect();
        n1 = node(network.url(), "n1-" + UUID.randomUUID());
        n2 = node(redis.url(), "n2-" + UUID.randomUUID());
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(node -> node.bus().stop());
        inspect.close();
        inspector.shutdown();
        network.close();
        redis.close();
    }

    private InJvmNode node(String url, String id) throws InterruptedException {
        InJvmNode node = InJvmNode.start(url, id, NODE_TTL);
        nodes.add(node);
        return node;
    }

    private static RecordingClient join(InJvmNode node, String topic, boolean wantsResume) throws Exception {
        RecordingClient client = new RecordingClient();
        client.peer = node.registry().join(topic, null, "req", client, wantsResume, Credentials.NONE);
        var welcome = client.next("welcome");
        client.id = welcome.getString("selfId");
        client.token = welcome.getString("resumeToken", null);
        return client;
    }

    private static RecordingClient join(InJvmNode node, String topic) throws Exception {
        return join(node, topic, false);
    }

    private Set<String> entriesOf(String topic, String node) {
        Set<String> ids = new HashSet<>();
        inspect.sync().hgetall("sig:{t:" + topic + "}:members").forEach((id, value) -> {
            if (value.contains("\"" + node + "\"")) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static void await(java.util.function.BooleanSupplier state, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!state.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10); // polling a state: the bus has no event for it
        }
    }

    /**
     * Peers join and leave n1, and topics get their first n1 peer, while n1 is cut off from Redis
     * and while it registers again: every view and Redis end up as the peers are. A resync used to
     * work from a snapshot of the local members taken before it read Redis (a peer that joined
     * meanwhile was deleted and announced as left; one that left was written back, a ghost), and
     * from a copy of the topic list taken at its start (a topic opened meanwhile was never
     * subscribed: its peers never saw another node's).
     */
    @Test
    void membershipChangesDuringAnOutageAndItsResyncEndUpInEveryView() throws Exception {
        String topic = "churn-" + UUID.randomUUID();
        RecordingClient watcher = join(n2, topic);
        Map<String, RecordingClient> onN1 = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            RecordingClient peer = join(n1, topic);
            onN1.put(peer.id, peer);
        }
        watcher.awaitView(Set.copyOf(onN1.keySet()), Duration.ofSeconds(10));
        Set<String> stayed = new HashSet<>(onN1.keySet());

        network.cut();
        await(() -> !n1.bus().healthy(), Duration.ofSeconds(5), "n1 saw Redis go");
        List<String> opened = new ArrayList<>();
        List<RecordingClient> firsts = new ArrayList<>();
        churn(topic, onN1, stayed, opened, firsts, 20);
        network.restore();
        // and while n1 registers again: its resync reads and writes while these happen
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!n1.bus().healthy() || System.nanoTime() < until) {
            churn(topic, onN1, stayed, opened, firsts, 1);
            Thread.sleep(5); // the pace of the churn, not a synchronisation
        }

        watcher.awaitView(Set.copyOf(onN1.keySet()), Duration.ofSeconds(10));
        List<String> wrongLeaves = watcher.toldLeft.stream().filter(stayed::contains).toList();
        assertEquals(List.of(), wrongLeaves, "peers that never left were announced as left");
        await(() -> entriesOf(topic, n1.id()).equals(onN1.keySet()), Duration.ofSeconds(5),
                "Redis holds n1's peers as they are: " + entriesOf(topic, n1.id()).size() + " vs " + onN1.size());

        for (int i = 0; i < opened.size(); i++) {
            RecordingClient later = join(n2, opened.get(i));
            later.awaitView(Set.of(firsts.get(i).id), Duration.ofSeconds(5));
            firsts.get(i).awaitView(Set.of(later.id), Duration.ofSeconds(5));
        }
    }

    /** Rounds of: a peer joins the topic, one that was there leaves, a new topic gets its first peer. */
    private void churn(String topic, Map<String, RecordingClient> onN1, Set<String> stayed, List<String> opened,
                       List<RecordingClient> firsts, int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            RecordingClient joined = join(n1, topic);
            onN1.put(joined.id, joined);
            if (!stayed.isEmpty()) { // a fast node registers again after fewer rounds than a slow one
                String leaving = stayed.iterator().next();
                stayed.remove(leaving);
                n1.registry().sessions().connectionClosed(onN1.remove(leaving).peer);
            }
            String fresh = "fresh-" + UUID.randomUUID();
            opened.add(fresh);
            firsts.add(join(n1, fresh));
        }
    }

    /**
     * The last n1 peer of a topic leaves while n1 cannot reach Redis: once it can, the leave is
     * made (the entry goes, the others hear it). It used to be skipped for good: a peer that had
     * left stayed in every other node's view as long as n1 lived.
     */
    @Test
    void aLeaveMissedWhileRedisWasOutOfReachIsMadeWhenItIsBack() throws Exception {
        String topic = "missed-" + UUID.randomUUID();
        RecordingClient leaving = join(n1, topic);
        RecordingClient other = join(n2, topic);
        other.awaitView(Set.of(leaving.id), Duration.ofSeconds(5));

        network.cut();
        await(() -> !n1.bus().healthy(), Duration.ofSeconds(5), "n1 saw Redis go");
        n1.registry().sessions().connectionClosed(leaving.peer);
        network.restore();

        other.awaitView(Set.of(), Duration.ofSeconds(5));
        assertEquals(List.of(leaving.id), other.toldLeft);
        await(() -> entriesOf(topic, n1.id()).isEmpty(), Duration.ofSeconds(5), "its entry left Redis");
        await(() -> !inspect.sync().sismember("sig:{n:" + n1.id() + "}:topics", topic), Duration.ofSeconds(5),
                "and the topic n1's topic set");
    }

    /**
     * A node with a fixed id dies (kill -9: nothing cleaned) and is back under that id before its
     * TTL ran out: the peers of its previous life leave. The others used to keep them for good
     * (the new life's heartbeat kept the node alive, so nobody reaped them).
     */
    @Test
    void aNodeBackUnderItsIdBeforeItsTtlCleansUpItsPreviousLife() throws Exception {
        String id = "fixed-" + UUID.randomUUID();
        LatencyProxy lifeline = new LatencyProxy(redis.port(), 0);
        try {
            InJvmNode first = node(lifeline.url(), id);
            String topic = "fixed-" + UUID.randomUUID();
            RecordingClient gone = join(first, topic);
            RecordingClient other = join(n2, topic);
            other.awaitView(Set.of(gone.id), Duration.ofSeconds(5));

            lifeline.cut(); // its process is gone, as far as Redis can tell
            InJvmNode second = node(redis.url(), id);
            assertEquals(id, second.id());

            other.awaitView(Set.of(), Duration.ofSeconds(5));
            assertEquals(Set.of(), entriesOf(topic, id), "the previous life's entry left Redis");
        } finally {
            lifeline.close();
        }
    }

    /**
     * A node with a fixed id parks its sessions as it stops (a rolling restart) and comes back
     * under that id: a client resuming there finds its session. It used to look only among the
     * sessions of the new life (the token names this node), and was refused.
     */
    @Test
    void aSessionParkedByThisNodeIdsPreviousLifeResumesOnItsNext() throws Exception {
        String id = "restart-" + UUID.randomUUID();
        InJvmNode first = node(redis.url(), id);
        String topic = "park-" + UUID.randomUUID();
        RecordingClient parked = join(first, topic, true);
        assertNotNull(parked.token);
        assertTrue(first.registry().sessions().releaseForHandOver(parked.peer, 1012, "restart"));
        assertTrue(first.registry().sessions().park(parked.peer), "parked in Redis");
        first.bus().stop();
        nodes.remove(first);

        InJvmNode next = node(redis.url(), id);
        RecordingClient back = new RecordingClient();
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        back.peer = next.registry().resumes().resume(parked.token, -1, topic, "req-2", back, Credentials.NONE, outcome);
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        assertEquals(parked.id, back.next("welcome").getString("selfId"), "the same peer, back");
    }

    /**
     * A parked session nobody resumes ends with its grace period, and the relays held for it are
     * answered dropped to their senders by the scan that ends it (before: they went without a word).
     */
    @Test
    void theRelaysHeldForAParkedSessionThatNobodyResumesAreAnsweredDropped() throws Exception {
        InJvmNode stopping = node(redis.url(), "stopping-" + UUID.randomUUID());
        node(redis.url(), "other-" + UUID.randomUUID()); // whichever node's scan ends it
        String topic = "park-end-" + UUID.randomUUID();
        RecordingClient parked = join(stopping, topic, true);
        RecordingClient sender = join(stopping, topic);
        sender.next("peer-list");
        parked.next("peer-list");
        parked.next("peer-joined");
        // its connection lost 29.5 s of its 30 s grace period ago: it ends half a second after it is parked
        parked.peer.session().hold(System.nanoTime() - Duration.ofMillis(29_500).toNanos());
        stopping.registry().relays().relay(sender.peer, "offer", parked.id, org.lanscape.signaling.protocol.RawJson.of("{}"),
                org.lanscape.signaling.protocol.RawJson.of("\"held-1\""), System.nanoTime());
        assertTrue(stopping.registry().sessions().park(parked.peer), "parked in Redis");

        java.util.Map<String, jakarta.json.JsonObject> told = new java.util.HashMap<>(); // from two channels: either order
        for (int i = 0; i < 2; i++) {
            jakarta.json.JsonObject message = sender.poll(Duration.ofSeconds(10));
            assertNotNull(message, "expected peer-left and an error, got " + told.keySet());
            told.put(message.getString("type"), message);
        }
        assertEquals(parked.id, told.get("peer-left").getString("peerId"), "it ended with its grace period");
        assertNotNull(told.get("error"), "the held relay is answered: " + told);
        assertEquals("dropped", told.get("error").getString("code"));
        assertEquals("held-1", told.get("error").getString("msgId"));
        assertNull(inspect.sync().get("sig:{t:" + topic + "}:parked-senders:" + parked.id), "and nothing is left of it");
    }
}
