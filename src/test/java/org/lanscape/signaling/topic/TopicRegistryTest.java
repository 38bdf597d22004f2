package org.lanscape.signaling.topic;

import org.lanscape.signaling.session.PeerTest;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.LocalBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.RecordingSocket;
import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.delivery.WriterThreads;
import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.session.ResumeTokens;
import org.lanscape.signaling.session.SessionResume;
import org.lanscape.signaling.session.SessionState;
import org.lanscape.signaling.session.Sessions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TopicRegistryTest {

    private static TopicRegistry registry(long queueMaxBytes) {
        return new TopicRegistry(new SignalingConfig(queueMaxBytes, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536), TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
    }

    @Test
    void joinQueuesWelcomeThenPeerListAndTellsTheOthers() throws Exception {
        TopicRegistry registry = registry(1 << 20);
        RecordingSocket a = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        Peer pa = registry.join("room", Json.createObjectBuilder().add("name", "a").build(), "req", a, false, Credentials.NONE);
        Peer pb = registry.join("room", null, "req", b, false, Credentials.NONE);

        List<JsonObject> toA = a.messages();
        assertEquals("welcome", toA.get(0).getString("type"));
        assertEquals(pa.id(), toA.get(0).getString("selfId"));
        assertEquals("{\"type\":\"peer-list\"}", toA.get(1).toString());
        assertEquals("peer-joined", toA.get(2).getString("type"));
        assertEquals(pb.id(), toA.get(2).getString("peerId"));

        List<JsonObject> toB = b.messages();
        assertEquals(pb.id(), toB.get(0).getString("selfId"));
        JsonObject listed = toB.get(1).getJsonArray("peers").getJsonObject(0);
        assertEquals(pa.id(), listed.getString("id"));
        assertEquals("a", listed.getJsonObject("metadata").getString("name"));

        registry.leave(pb);
        assertEquals("{\"type\":\"peer-left\",\"peerId\":\"" + pb.id() + "\"}", a.messages().get(3).toString());
        registry.leave(pb); // idempotent: nobody hears it twice
        assertEquals(4, a.messages().size());
        registry.leave(pa);
        assertEquals(0, registry.topics().count());
        assertEquals(0, registry.topics().peerCount());
    }

    @Test
    void aMemberThatRelaysAsSoonAsItHearsOfANewPeerFindsIt() throws Exception {
        TopicRegistry registry = registry(1 << 20);
        List<RelayResult> results = new ArrayList<>();
        Peer[] member = new Peer[1];
        RecordingSocket eager = new RecordingSocket() {
            @Override
            public void send(String frame) {
                super.send(frame);
                if (frame.contains("peer-joined")) { // reply at once, still inside the join
                    String newcomer = Json.createReader(new java.io.StringReader(frame)).readObject().getString("peerId");
                    results.add(registry.relays().relay(member[0], "offer", newcomer, null, null, 0));
                }
            }
        };
        member[0] = registry.join("room", null, "req", eager, false, Credentials.NONE);
        RecordingSocket newcomer = new RecordingSocket();
        registry.join("room", null, "req", newcomer, false, Credentials.NONE);
        assertEquals(List.of(RelayResult.DELIVERED), results);
        assertEquals("offer", newcomer.messages().get(2).getString("type"), "after its welcome and peer-list");
    }

    @Test
    void relayCarriesFromAndStaysInsideTheTopic() throws Exception {
        TopicRegistry registry = registry(1 << 20);
        RecordingSocket a = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        RecordingSocket other = new RecordingSocket();
        Peer pa = registry.join("room", null, "req", a, false, Credentials.NONE);
        Peer pb = registry.join("room", null, "req", b, false, Credentials.NONE);
        Peer po = registry.join("elsewhere", null, "req", other, false, Credentials.NONE);

        RawJson payload = RawJson.of("{\"sdp\":\"v=0\"}");
        assertEquals(RelayResult.DELIVERED, registry.relays().relay(pa, "offer", pb.id(), payload, RawJson.of("\"m1\""), 0));
        JsonObject relayed = b.messages().get(2);
        assertEquals("offer", relayed.getString("type"));
        assertEquals(pa.id(), relayed.getString("from"));
        assertEquals("v=0", relayed.getJsonObject("payload").getString("sdp"));
        assertEquals("m1", relayed.getString("msgId"));

        assertEquals(RelayResult.TARGET_NOT_FOUND, registry.relays().relay(pa, "offer", po.id(), payload, null, 0));
        assertEquals(RelayResult.TARGET_NOT_FOUND, registry.relays().relay(pa, "offer", "01NOSUCHPEER", payload, null, 0));
        assertEquals(2, other.messages().size(), "welcome and peer-list only");
    }

    /**
     * Peers that read (each answers its last ping once per join: a round trip), each with 1.5 KB of
     * metadata, fill a room until a newcomer's peer-list is larger than a peer's queue (64 KiB here;
     * 1 MiB at the defaults, reached by the 651st peer):
     * the peer-list is written part by part, holding no text, so the membership events after it
     * still fit and nobody is closed (before: every newcomer from then on was a slow consumer).
     */
    @Test
    void aPeerListLargerThanTheQueueClosesNobodyWhoReads() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(64 << 10, Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withSendWindow(16 << 10), TopicObserver.NONE,
                new LocalBus("test"), WriterThreads.inline());
        jakarta.json.JsonObject metadata = jakarta.json.Json.createObjectBuilder().add("name", "peer")
                .add("avatar", "A".repeat(1_500)).build();
        List<RecordingSocket> sockets = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            RecordingSocket socket = new RecordingSocket();
            sockets.add(socket);
            peers.add(registry.join("room", metadata, "req", socket, false, Credentials.NONE));
            for (int k = 0; k < peers.size(); k++) { // one round trip per join: every client answers its last ping
                sockets.get(k).pong(peers.get(k));
            }
        }
        for (boolean answered = true; answered; ) { // then they read what is left
            answered = false;
            for (int k = 0; k < peers.size(); k++) {
                answered |= sockets.get(k).pong(peers.get(k));
            }
        }
        for (int i = 0; i < sockets.size(); i++) {
            assertEquals(0, sockets.get(i).closedWith, "peer " + i + " was closed");
            assertEquals(2 + sockets.size() - 1 - i, sockets.get(i).sentCount(), "peer " + i + ": welcome, peer-list, "
                    + "and a peer-joined for each peer after it");
        }
        JsonObject list = sockets.get(119).messages().get(1);
        assertEquals("peer-list", list.getString("type"));
        assertEquals(119, list.getJsonArray("peers").size());
        assertEquals(metadata, list.getJsonArray("peers").getJsonObject(7).getJsonObject("metadata"));
    }

    /**
     * Resumable connections that stop reading and are then lost are held for their resume with the
     * relays queued for them: they may take half the node's cap, and when connected peers that do
     * not read take the rest, a relay between two peers that read still goes through, with room
     * taken from the largest held session, whose relays are answered dropped (before: every relay
     * on the node was refused for as long as they were held).
     */
    @Test
    void sessionsHeldForAResumeCannotStarveThePeersThatRead() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(64 << 10, Duration.ofMillis(1),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withSendWindow(PeerTest.SMALL_WINDOW)
                .withResume(Duration.ofMinutes(1)).withNodeQueueMaxBytes(256 << 10), TopicObserver.NONE,
                new LocalBus("test"), WriterThreads.inline());
        RecordingSocket senderSocket = new RecordingSocket();
        Peer sender = registry.join("room", null, "req", senderSocket, false, Credentials.NONE);
        List<Peer> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Peer peer = registry.join("room", null, "req", new RecordingSocket(), true, Credentials.NONE);
            PeerTest.stall(peer);
            registry.sessions().connectionLost(peer);
            held.add(peer);
        }
        RawJson payload = RawJson.of("\"" + "h".repeat(8_000) + "\"");
        int refused = 0;
        for (Peer peer : held) {
            for (int i = 0; i < 8; i++) {
                RelayResult result = registry.relays().relay(sender, "offer", peer.id(), payload, RawJson.of("\"h\""), 0);
                refused += result == RelayResult.DROPPED ? 1 : 0;
            }
        }
        assertTrue(refused > 0, "the held sessions took the node to half its cap, which is all they may take");
        RecordingSocket bSocket = new RecordingSocket();
        Peer a = registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        Peer b = registry.join("room", null, "req", bSocket, false, Credentials.NONE);
        assertEquals(RelayResult.DELIVERED, registry.relays().relay(a, "offer", b.id(), payload, RawJson.of("\"reads\""), 0));
        assertEquals("reads", bSocket.messages().get(bSocket.messages().size() - 1).getString("msgId"));
        long heldBefore = held.stream().mapToLong(p -> p.outbox().queuedBytes()).sum();
        for (int k = 0; k < 4; k++) { // connected peers take the other half, then room from the held sessions
            Peer stalled = registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
            PeerTest.stall(stalled);
            for (int i = 0; i < 8; i++) {
                registry.relays().relay(sender, "offer", stalled.id(), payload, RawJson.of("\"s\""), 0);
            }
        }
        assertTrue(held.stream().mapToLong(p -> p.outbox().queuedBytes()).sum() < heldBefore,
                "connected peers took room from the held sessions");
        long droppedToSender = senderSocket.messages().stream()
                .filter(m -> "error".equals(m.getString("type")) && "dropped".equals(m.getString("code"))).count();
        assertTrue(droppedToSender >= 1, "the relays taken from a held session are answered dropped");
    }

    /**
     * A peer that does not read: relays to it wait and are then dropped; an event it must get
     * but has no room for disconnects it as a slow consumer (4002), never skipped; what was still
     * queued for it is answered dropped to its senders.
     */
    @Test
    void aFullQueueDropsRelaysAndAnEventThatDoesNotFitDisconnectsItsSlowConsumer() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(2048, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536).withSendWindow(PeerTest.SMALL_WINDOW), TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
        RecordingSocket stuck = new RecordingSocket(); // its client stops reading after its welcome and peer-list
        Peer ps = registry.join("room", null, "req", stuck, false, Credentials.NONE);
        PeerTest.stall(ps);
        RecordingSocket a = new RecordingSocket();
        Peer pa = registry.join("room", null, "req", a, false, Credentials.NONE);     // peer-joined queued for the stuck one
        // a relay that leaves room for 30 bytes: less than a peer-joined takes
        int overhead = org.lanscape.signaling.protocol.ServerMessageEncoder.toJson(new org.lanscape.signaling.protocol
                .ServerMessage.Relayed("offer", pa.id(), RawJson.of("\"\""), RawJson.of("\"fits\""))).length();
        RawJson big = RawJson.of("\"" + "s".repeat((int) (2048 - ps.outbox().queuedBytes() - overhead - 30)) + "\"");
        assertEquals(RelayResult.DELIVERED, registry.relays().relay(pa, "offer", ps.id(), big, RawJson.of("\"fits\""), 0));
        assertEquals(RelayResult.DROPPED, registry.relays().relay(pa, "offer", ps.id(), big, RawJson.of("\"no-room\""), 0));

        RecordingSocket c = new RecordingSocket();
        Peer pc = registry.join("room", null, "req", c, false, Credentials.NONE); // its peer-joined has no room at the stuck peer
        assertEquals(Sessions.SLOW_CONSUMER, stuck.closedWith);
        assertTrue(ps.state() == SessionState.State.CLOSED);
        List<JsonObject> toA = a.messages();
        assertEquals("peer-joined", toA.get(2).getString("type"));
        assertEquals(pc.id(), toA.get(2).getString("peerId"));
        assertEquals("peer-left", toA.get(3).getString("type"));
        assertEquals(ps.id(), toA.get(3).getString("peerId"));
        assertEquals("dropped", toA.get(4).getString("code"), "the relay it accepted and never sent");
        assertEquals("fits", toA.get(4).getString("msgId"));
        assertEquals("peer-left", c.messages().get(2).getString("type"));
    }

    @Test
    void onlyAPeerThatAsksIsResumable() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(1 << 20, Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withResume(Duration.ofSeconds(15)),
                TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
        RecordingSocket watcher = new RecordingSocket();
        RecordingSocket seed = new RecordingSocket();
        registry.join("room", null, "req", watcher, false, Credentials.NONE);
        Peer plain = registry.join("room", null, "req", seed, false, Credentials.NONE);
        assertFalse(seed.messages().get(0).containsKey("resumeToken"), "the seed's welcome: no token");
        registry.sessions().connectionLost(plain);
        assertEquals("peer-left", watcher.messages().get(3).getString("type"), "it leaves at once");
        assertEquals(0, registry.topics().awayPeers(10).size());
    }

    @Test
    void capacityLimitsHoldExactly() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(16, Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withLimits(2, 3), TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
        Peer a = registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        JoinRefusedException full = org.junit.jupiter.api.Assertions.assertThrows(JoinRefusedException.class,
                () -> registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE));
        assertEquals(JoinRefusedException.Reason.TOPIC_FULL, full.reason());
        registry.join("other", null, "req", new RecordingSocket(), false, Credentials.NONE);
        JoinRefusedException nodeFull = org.junit.jupiter.api.Assertions.assertThrows(JoinRefusedException.class,
                () -> registry.join("third", null, "req", new RecordingSocket(), false, Credentials.NONE));
        assertEquals(JoinRefusedException.Reason.NODE_FULL, nodeFull.reason());
        assertEquals(3, registry.topics().peerCount());
        assertEquals(2, registry.topics().count(), "a refused join leaves no topic behind");
        registry.leave(a);
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE); // room again, for one
        assertEquals(3, registry.topics().peerCount());
    }

    @Test
    void aLostPeerIsHeldForItsGracePeriodAndResumesWithItsIdAndHeldRelays() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(16, Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withResume(Duration.ofSeconds(15)),
                TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
        RecordingSocket a = new RecordingSocket();
        RecordingSocket lost = new RecordingSocket();
        Peer pa = registry.join("room", null, "req", a, false, Credentials.NONE);
        Peer pl = registry.join("room", null, "req", lost, true, Credentials.NONE);
        String token = lost.messages().get(0).getString("resumeToken");
        registry.sessions().connectionLost(pl);
        assertTrue(pl.isAway());
        assertEquals(RelayResult.DELIVERED, registry.relays().relay(pa, "offer", pl.id(), null, RawJson.of("\"held\""), 1));
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE); // a peer-joined during the gap: superseded

        RecordingSocket back = new RecordingSocket();
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertEquals(pl, registry.resumes().resume(token, -1, "room", "req2", back, Credentials.NONE, outcome));
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
        List<JsonObject> frames = back.messages();
        assertEquals(pl.id(), frames.get(0).getString("selfId"));
        assertEquals(2, frames.get(1).getJsonArray("peers").size(), "the current peer-list");
        assertEquals("held", frames.get(2).getString("msgId"));
        assertEquals(3, frames.size(), "the peer-joined of the gap is replaced by the peer-list");
        assertTrue(a.messages().stream().noneMatch(m -> m.getString("type").equals("peer-left")), "nobody saw it leave");

        assertEquals(null, registry.resumes().resume(token, -1, "room", "req3", new RecordingSocket(), Credentials.NONE, outcome));
        assertEquals(SessionResume.Outcome.INVALID, outcome[0], "single-use");
        String second = frames.get(0).getString("resumeToken");
        assertEquals(null, registry.resumes().resume(second, -1, "other-room", "req3", new RecordingSocket(), Credentials.NONE, outcome));
        assertEquals(SessionResume.Outcome.INVALID, outcome[0], "bound to its topic");

        assertEquals(RelayResult.DELIVERED, registry.relays().relay(pa, "offer", pl.id(), null, RawJson.of("\"to-expire\""), 1));
        registry.sessions().connectionLost(pl);
        assertEquals(RelayResult.DELIVERED, registry.relays().relay(pa, "offer", pl.id(), null, RawJson.of("\"held-then-expired\""), 1));
        registry.sessions().expireIfDue(pl, System.nanoTime()); // not yet due: nothing happens
        assertTrue(pl.isAway());
        registry.sessions().expireIfDue(pl, System.nanoTime() + Duration.ofSeconds(16).toNanos());
        List<JsonObject> toA = a.messages();
        assertEquals("peer-left", toA.get(toA.size() - 2).getString("type"));
        assertEquals("dropped", toA.get(toA.size() - 1).getString("code"), "the held relay is answered, not lost");
        assertEquals("held-then-expired", toA.get(toA.size() - 1).getString("msgId"));
        assertEquals(null, registry.resumes().resume(second, -1, "room", "req4", new RecordingSocket(), Credentials.NONE, outcome));
        assertEquals(SessionResume.Outcome.EXPIRED, outcome[0]);
    }

    @Test
    void disconnectLeavesAndClosesTheSocket() throws Exception {
        TopicRegistry registry = registry(1 << 20);
        RecordingSocket a = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        Peer pa = registry.join("room", null, "req", a, false, Credentials.NONE);
        registry.join("room", null, "req", b, false, Credentials.NONE);
        registry.sessions().disconnect(pa, 4001, "write timeout");
        assertEquals(4001, a.closedWith);
        assertEquals("peer-left", b.messages().get(2).getString("type"));
        assertEquals(Peer.Delivery.GONE, pa.deliver(Frame.relay("x", 0, "s", null, null), 0), "a disconnected peer takes nothing");
    }

    /**
     * 64 threads join, relay and leave over and over in 4 topics (so topics are emptied and
     * re-created all the time). Afterwards: the registry is empty; every peer's stream starts with
     * welcome and peer-list and replays consistently; every two peers that overlapped know each
     * other both ways, exactly one of them saw the other leave, and every relay reported delivered
     * reached its target with the right sender.
     */
    @Test
    void concurrentJoinsRelaysAndLeavesKeepEveryViewExact() throws Exception {
        int threads = 64;
        int rounds = 60;
        TopicRegistry registry = registry(1 << 20);
        Map<String, RecordingSocket> sockets = new ConcurrentHashMap<>();
        Map<String, String> topicOf = new ConcurrentHashMap<>();
        Map<String, List<String>> delivered = new ConcurrentHashMap<>(); // target -> "from|msgId"
        AtomicInteger relays = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int r = 0; r < rounds; r++) {
                    String topic = "t" + random.nextInt(4);
                    RecordingSocket socket = new RecordingSocket();
                    Peer peer = registry.join(topic, null, "req", socket, false, Credentials.NONE);
                    sockets.put(peer.id(), socket);
                    topicOf.put(peer.id(), topic);
                    for (String target : known(socket.messages())) {
                        String msgId = peer.id() + "#" + relays.incrementAndGet();
                        RelayResult result = registry.relays().relay(peer, "ice-candidate", target, null, RawJson.of("\"" + msgId + "\""), 0);
                        if (result == RelayResult.DROPPED) {
                            fail("nothing may be dropped with queues this large");
                        }
                        if (result == RelayResult.DELIVERED) {
                            delivered.computeIfAbsent(target, k -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(peer.id() + "|" + msgId);
                        }
                    }
                    registry.leave(peer);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();

        assertEquals(0, registry.topics().count(), "every topic went away with its last peer");
        assertEquals(0, registry.topics().peerCount());

        Map<String, Set<String>> learned = new HashMap<>();
        Map<String, Set<String>> sawLeave = new HashMap<>();
        for (Map.Entry<String, RecordingSocket> e : sockets.entrySet()) {
            String id = e.getKey();
            List<JsonObject> stream = e.getValue().messages();
            assertEquals("welcome", stream.get(0).getString("type"), id);
            assertEquals(id, stream.get(0).getString("selfId"));
            assertEquals("peer-list", stream.get(1).getString("type"), id);
            Set<String> view = new HashSet<>();
            Set<String> everKnown = new HashSet<>();
            Set<String> left = new HashSet<>();
            List<String> received = new ArrayList<>();
            if (stream.get(1).containsKey("peers")) {
                stream.get(1).getJsonArray("peers").forEach(p -> view.add(p.asJsonObject().getString("id")));
            }
            everKnown.addAll(view);
            for (JsonObject m : stream.subList(2, stream.size())) {
                switch (m.getString("type")) {
                    case "peer-joined" -> {
                        String p = m.getString("peerId");
                        assertTrue(view.add(p) && everKnown.add(p), id + " learned of " + p + " twice");
                    }
                    case "peer-left" -> {
                        String p = m.getString("peerId");
                        assertTrue(view.remove(p), id + " saw " + p + " leave without knowing it");
                        left.add(p);
                    }
                    case "ice-candidate" -> received.add(m.getString("from") + "|" + m.getString("msgId"));
                    default -> fail("unexpected " + m);
                }
            }
            for (String p : everKnown) {
                assertEquals(topicOf.get(id), topicOf.get(p), "topics are isolated");
            }
            learned.put(id, everKnown);
            sawLeave.put(id, left);
            assertEquals(new HashSet<>(delivered.getOrDefault(id, List.of())), new HashSet<>(received),
                    "relays reported delivered reached " + id);
        }
        for (Map.Entry<String, Set<String>> e : learned.entrySet()) {
            String p = e.getKey();
            for (String q : e.getValue()) {
                assertTrue(learned.get(q).contains(p), p + " knew " + q + " but not the other way round");
                assertTrue(sawLeave.get(p).contains(q) ^ sawLeave.get(q).contains(p),
                        "exactly one of " + p + " and " + q + " saw the other leave");
            }
        }
        assertFalse(sockets.isEmpty());
    }

    private static TopicRegistry resumableRegistry(org.lanscape.signaling.cluster.ClusterBus bus) {
        return new TopicRegistry(new SignalingConfig(1 << 20, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 65536).withResume(Duration.ofSeconds(15)), TopicObserver.NONE, bus, WriterThreads.inline());
    }

    /** A socket that records whether a send ever happened while a peer's or a topic's lock was held. */
    static final class LockCheckingSocket extends RecordingSocket {
        final List<String> heldLocks = Collections.synchronizedList(new ArrayList<>());
        volatile Object[] watched = new Object[0];

        @Override
        public void send(String frame) {
            for (Object lock : watched) {
                if (lock != null && Thread.holdsLock(lock)) {
                    heldLocks.add(lock.getClass().getSimpleName() + " while sending " + frame);
                }
            }
            super.send(frame);
        }
    }

    /** Nothing is sent under a peer's or a topic's lock: joins, broadcasts, a resume, a leave. */
    @Test
    void nothingIsSentWhileAPeersOrATopicsLockIsHeld() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        LockCheckingSocket first = new LockCheckingSocket();
        Peer a = registry.join("room", null, "req", first, true, Credentials.NONE);
        LockCheckingSocket second = new LockCheckingSocket();
        Peer b = registry.join("room", null, "req", second, true, Credentials.NONE);
        Topic topic = registry.topics().get("room");
        first.watched = new Object[] {a, b, topic};
        second.watched = new Object[] {a, b, topic};
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE); // broadcast
        String token = second.messages().get(0).getString("resumeToken");
        registry.sessions().connectionLost(b);
        LockCheckingSocket back = new LockCheckingSocket();
        back.watched = new Object[] {a, b, topic};
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertEquals(b, registry.resumes().resume(token, -1, "room", "req2", back, Credentials.NONE, outcome));
        registry.sessions().connectionClosed(b); // peer-left to a
        assertTrue(back.messages().size() >= 2, "the resumed connection got its welcome and peer-list");
        assertEquals(List.of(), first.heldLocks);
        assertEquals(List.of(), back.heldLocks);
    }

    /**
     * The first join of a topic reads its remote members from Redis: while that round trip is on
     * its way, the bus's events for the topic and relays in it are not held up behind the topic's
     * lock (the stripe threads waited on it for up to twice the Redis timeout).
     */
    @Test
    void aSlowRedisReadForANewTopicHoldsUpNoneOfItsEvents() throws Exception {
        StubBus bus = new StubBus();
        TopicRegistry registry = resumableRegistry(bus);
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        registry.leave(registry.topics().get("room").peers().iterator().next()); // the topic closes; the next join opens anew
        bus.openGate = new java.util.concurrent.CountDownLatch(1);
        bus.opening = new java.util.concurrent.CountDownLatch(1);
        bus.remoteMembers = Map.of("R1", new org.lanscape.signaling.cluster.RemoteMember("R1", "other", null),
                "R2", new org.lanscape.signaling.cluster.RemoteMember("R2", "other", null));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RecordingSocket newcomer = new RecordingSocket();
            Future<Peer> joining = pool.submit(() -> registry.join("room", null, "req", newcomer, false, Credentials.NONE));
            assertTrue(bus.opening.await(5, TimeUnit.SECONDS));
            Future<?> event = pool.submit(() -> {
                registry.busListener().remoteLeft("room", "R2"); // R2 left meanwhile
                registry.busListener().remoteJoined("room", new org.lanscape.signaling.cluster.RemoteMember("R3", "other", null));
                return null;
            });
            event.get(2, TimeUnit.SECONDS); // before the fix: held until Redis answered
            assertFalse(joining.isDone(), "the join still waits for Redis");
            bus.openGate.countDown();
            joining.get(5, TimeUnit.SECONDS);
            Set<String> listed = new HashSet<>();
            newcomer.messages().get(1).getJsonArray("peers").forEach(p -> listed.add(p.asJsonObject().getString("id")));
            assertEquals(Set.of("R1", "R3"), listed, "R2's leave during the read is not undone by it");
        } finally {
            bus.openGate.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A resync applies what Redis said when its read was asked for; the live events heard since
     * are newer and stay as they said (a join heard meanwhile used to be undone by the older read,
     * a leave heard meanwhile written back), and a member there before and after is not announced.
     */
    @Test
    void aResyncDoesNotUndoTheEventsHeardWhileItsReadWasOnItsWay() throws Exception {
        TopicRegistry registry = registry(1 << 20);
        RecordingSocket local = new RecordingSocket();
        registry.join("room", null, "req", local, false, Credentials.NONE);
        var events = registry.busListener();
        org.lanscape.signaling.cluster.RemoteMember stays = new org.lanscape.signaling.cluster.RemoteMember("STAYS", "other", null);
        org.lanscape.signaling.cluster.RemoteMember leaves = new org.lanscape.signaling.cluster.RemoteMember("LEAVES", "other", null);
        org.lanscape.signaling.cluster.RemoteMember joins = new org.lanscape.signaling.cluster.RemoteMember("JOINS", "other", null);
        events.remoteJoined("room", stays);
        events.remoteJoined("room", leaves);
        int before = local.messages().size();

        events.resyncAsked("room");
        events.remoteJoined("room", joins); // after the read was asked for: it is not in it
        events.remoteLeft("room", "LEAVES"); // after the read too: it is still in it
        events.resync("room", Map.of("STAYS", stays, "LEAVES", leaves), node -> true);

        List<String> told = local.messages().subList(before, local.messages().size()).stream()
                .map(m -> m.getString("type") + " " + m.getString("peerId")).toList();
        assertEquals(List.of("peer-joined JOINS", "peer-left LEAVES"), told, "only the live events, once each");
        Set<String> listed = new HashSet<>();
        RecordingSocket newcomer = new RecordingSocket();
        registry.join("room", null, "req", newcomer, false, Credentials.NONE);
        newcomer.messages().get(1).getJsonArray("peers").forEach(p -> listed.add(p.asJsonObject().getString("id")));
        assertEquals(Set.of(local.messages().get(0).getString("selfId"), "STAYS", "JOINS"), listed);
    }

    /** A hand-over to another node is published with no lock held (it was published under the peer's and the topic's). */
    @Test
    void aHandOverGoesOutWithNoLockHeld() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        RecordingSocket lost = new RecordingSocket();
        Peer peer = registry.join("room", null, "req", lost, true, Credentials.NONE);
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE); // the topic stays open
        String token = lost.messages().get(0).getString("resumeToken");
        Topic topic = registry.topics().get("room");
        registry.sessions().connectionLost(peer);
        List<Boolean> locked = new ArrayList<>();
        assertEquals(org.lanscape.signaling.cluster.HandOver.Result.HANDED_OVER, registry.busListener().handOver(
                token, -1, "room", null, "other-node", handOver -> locked.add(Thread.holdsLock(peer) || Thread.holdsLock(topic))));
        assertEquals(List.of(false), locked);
        assertEquals("other-node", topic.remoteMember(peer.id()).node(), "a remote member there now");
    }

    /** A resumable peer (its token) in a topic with another member, which watches what its topic is told. */
    private record Watched(Peer peer, String token, RecordingSocket other) {
    }

    private static Watched watched(TopicRegistry registry) throws Exception {
        RecordingSocket own = new RecordingSocket();
        Peer peer = registry.join("room", null, "req", own, true, Credentials.NONE);
        RecordingSocket other = new RecordingSocket();
        registry.join("room", null, "req", other, false, Credentials.NONE);
        return new Watched(peer, own.messages().get(0).getString("resumeToken"), other);
    }

    /**
     * A held session judged a slow consumer (a join's settle found no room in its queue for the
     * event) stays held: before, connectionFailed took "not held now" for "not resumable" and ended
     * it, so everyone saw it leave and its resume failed.
     */
    @Test
    void aHeldSessionJudgedASlowConsumerStaysHeld() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        Watched watched = watched(registry);
        Peer peer = watched.peer();
        RecordingSocket other = watched.other();
        String token = watched.token();
        registry.sessions().connectionLost(peer);

        registry.sessions().connectionFailed(peer, Sessions.SLOW_CONSUMER, "slow consumer");
        assertTrue(peer.isAway(), "still held");
        assertTrue(other.messages().stream().noneMatch(m -> m.getString("type").equals("peer-left")), "nobody saw it leave");
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertEquals(peer, registry.resumes().resume(token, -1, "room", "req2", new RecordingSocket(), Credentials.NONE, outcome));
        assertEquals(SessionResume.Outcome.RESUMED, outcome[0]);
    }

    /**
     * The watchdog read the peer live, the client came back on another node, and the watchdog's
     * verdict (ping timeout) arrives while the session moves: it ends nothing. Before, it ended the
     * session here: everyone saw a peer leave that lives on the other node.
     */
    @Test
    void aWatchdogVerdictThatArrivesDuringAMoveEndsNothing() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        Watched watched = watched(registry);
        Peer peer = watched.peer();
        RecordingSocket other = watched.other();
        String token = watched.token();
        int before = registry.topics().peerCount();
        assertEquals(org.lanscape.signaling.cluster.HandOver.Result.HANDED_OVER, registry.busListener().handOver(
                token, -1, "room", null, "other-node", handOver -> registry.sessions().connectionFailed(peer, 4001, "ping timeout")));
        assertTrue(other.messages().stream().noneMatch(m -> m.getString("type").equals("peer-left")), "nobody saw it leave");
        assertEquals("other-node", registry.topics().get("room").remoteMember(peer.id()).node(), "it lives on the other node");
        assertEquals(before - 1, registry.topics().peerCount(), "its place here given back once");
    }

    /** A session that leaves while it is being handed over gives its place on this node back once, not twice. */
    @Test
    void aSessionThatLeavesDuringItsHandOverGivesItsPlaceBackOnce() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        Watched watched = watched(registry);
        Peer peer = watched.peer();
        String token = watched.token();
        registry.sessions().connectionLost(peer);
        int before = registry.topics().peerCount();
        registry.busListener().handOver(token, -1, "room", null, "other-node", handOver -> registry.leave(peer));
        assertEquals(before - 1, registry.topics().peerCount());
    }

    /** A stopping node parks what nobody claimed; a claim that got there first is left to finish: nobody sees it leave. */
    @Test
    void aParkThatLosesToAClaimEndsNothing() throws Exception {
        StubBus bus = new StubBus();
        TopicRegistry registry = resumableRegistry(bus);
        Watched watched = watched(registry);
        Peer peer = watched.peer();
        RecordingSocket other = watched.other();
        String token = watched.token();
        registry.sessions().connectionLost(peer);
        boolean[] parked = {true};
        assertEquals(org.lanscape.signaling.cluster.HandOver.Result.HANDED_OVER, registry.busListener().handOver(
                token, -1, "room", null, "other-node", handOver -> parked[0] = registry.sessions().park(peer)));
        assertFalse(parked[0], "not parked: it is moving");
        assertEquals(null, bus.parkedFor);
        assertTrue(other.messages().stream().noneMatch(m -> m.getString("type").equals("peer-left")), "nobody saw it leave");
        assertEquals("other-node", registry.topics().get("room").remoteMember(peer.id()).node());
    }

    /** A topic whose first read of the other nodes' members failed with an Error: the next join reads again, never waits forever. */
    @Test
    void aFailedFirstReadOfATopicLeavesNoJoinWaitingForIt() throws Exception {
        StubBus bus = new StubBus();
        TopicRegistry registry = resumableRegistry(bus);
        bus.openFailure = new AssertionError("the read failed");
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE));
        RecordingSocket next = new RecordingSocket();
        Peer joined = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> registry.join("room", null, "req", next, false, Credentials.NONE), "the next join is not held by the failed read");
        assertEquals(joined.id(), next.messages().get(0).getString("selfId"));
        assertEquals(1, registry.topics().peerCount(), "the failed join gave its place back");
    }

    /** A session parked when its node stops is kept for what is left of its grace period, not a whole new one. */
    @Test
    void aParkedSessionKeepsWhatIsLeftOfItsGracePeriod() throws Exception {
        StubBus bus = new StubBus();
        TopicRegistry registry = resumableRegistry(bus); // grace 15 s
        Peer peer = registry.join("room", null, "req", new RecordingSocket(), true, Credentials.NONE);
        assertEquals(SessionState.Hold.HELD, peer.session().hold(System.nanoTime() - Duration.ofSeconds(10).toNanos()), "lost 10 s ago");
        assertTrue(registry.sessions().park(peer));
        assertTrue(bus.parkedFor.compareTo(Duration.ofSeconds(5)) <= 0 && bus.parkedFor.compareTo(Duration.ofSeconds(4)) > 0,
                "about 5 s left: " + bus.parkedFor);
    }

    /** One whose grace period is over by the time its node stops is not parked: it ends. */
    @Test
    void aSessionWhoseGracePeriodIsOverIsNotParked() throws Exception {
        StubBus bus = new StubBus();
        TopicRegistry registry = resumableRegistry(bus);
        Peer peer = registry.join("room", null, "req", new RecordingSocket(), true, Credentials.NONE);
        peer.session().hold(System.nanoTime() - Duration.ofSeconds(16).toNanos());
        assertFalse(registry.sessions().park(peer));
        assertTrue(peer.state() == SessionState.State.CLOSED);
        assertEquals(null, bus.parkedFor);
    }

    /**
     * A failed resume is a new session, and the client hears it right after the peer-list, before
     * any membership event (the endpoint sent resume_failed after the join, so that a peer joining
     * meanwhile could come first).
     */
    @Test
    void aNoticeOfAJoinComesRightAfterItsPeerList() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        RecordingSocket newSession = new RecordingSocket();
        registry.join("room", null, "req", newSession, true, Credentials.NONE,
                new org.lanscape.signaling.protocol.ServerMessage.Error(org.lanscape.signaling.protocol.ErrorCode.RESUME_FAILED, null));
        registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        List<String> types = newSession.messages().stream().map(m -> m.getString("type")).toList();
        assertEquals(List.of("welcome", "peer-list", "error", "peer-joined"), types);
        assertEquals("resume_failed", newSession.messages().get(2).getString("code"));
    }

    /** The watchdog saw the peer away past its grace period; the client resumed before the expiry ran. */
    @Test
    void anExpiryThatComesAfterAResumeDoesNothing() throws Exception {
        TopicRegistry registry = resumableRegistry(new LocalBus("test"));
        RecordingSocket lost = new RecordingSocket();
        Peer peer = registry.join("room", null, "req", lost, true, Credentials.NONE);
        String token = lost.messages().get(0).getString("resumeToken");
        registry.sessions().connectionLost(peer);
        RecordingSocket back = new RecordingSocket();
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        assertEquals(peer, registry.resumes().resume(token, -1, "room", "req2", back, Credentials.NONE, outcome));
        registry.sessions().expireIfDue(peer, System.nanoTime() + Duration.ofMinutes(5).toNanos());
        assertFalse(peer.state() == SessionState.State.CLOSED, "the resumed peer is live");
        assertEquals(1, registry.topics().size("room"), "and still in its topic");
        String next = back.messages().get(0).getString("resumeToken");
        registry.sessions().connectionLost(peer);
        assertEquals(peer, registry.resumes().resume(next, -1, "room", "req3", new RecordingSocket(), Credentials.NONE, outcome),
                "its new token still works");
    }

    /** A resume claimed from another node that never answers gives up on its own (it waited with join()). */
    @Test
    void aClaimTheOwnerNeverAnswersGivesUpOnItsOwn() {
        TopicRegistry registry = resumableRegistry(new StubBus());
        String token = ResumeTokens.issue("another-node");
        SessionResume.Outcome[] outcome = new SessionResume.Outcome[1];
        Peer peer = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> registry.resumes().resume(token, -1, "room", "req", new RecordingSocket(), Credentials.NONE, outcome));
        assertEquals(null, peer);
        assertEquals(SessionResume.Outcome.EXPIRED, outcome[0]);
    }

    /** A relay from another node never waits for room: one full queue holds up nobody else on the bus's thread. */
    @Test
    void aRelayFromAnotherNodeToAFullQueueIsDroppedAtOnce() throws Exception {
        TopicRegistry registry = new TopicRegistry(new SignalingConfig(2048, Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofSeconds(30), 65536).withSendWindow(PeerTest.SMALL_WINDOW),
                TopicObserver.NONE, new LocalBus("test"), WriterThreads.inline());
        Peer stuck = registry.join("room", null, "req", new RecordingSocket(), false, Credentials.NONE);
        PeerTest.stall(stuck);
        assertTrue(stuck.enqueue(Frame.control("x".repeat(1000)))); // waits for a pong that never comes
        String big = "{\"payload\":\"" + "x".repeat(3000) + "\"}";
        long start = System.nanoTime();
        assertEquals(org.lanscape.signaling.cluster.BusListener.RelayOutcome.DROPPED,
                registry.busListener().deliver("room", stuck.id(), big, "sender", null, "other-node"));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "not the 10 s relay wait");
    }

    private static List<String> known(List<JsonObject> stream) {
        Set<String> view = new HashSet<>();
        for (JsonObject m : stream) {
            switch (m.getString("type")) {
                case "peer-list" -> {
                    if (m.containsKey("peers")) {
                        m.getJsonArray("peers").forEach(p -> view.add(p.asJsonObject().getString("id")));
                    }
                }
                case "peer-joined" -> view.add(m.getString("peerId"));
                case "peer-left" -> view.remove(m.getString("peerId"));
                default -> { }
            }
        }
        return new ArrayList<>(view);
    }
}
