package org.lanscape.signaling.topic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerTest {

    /** A socket whose sends complete only when the test says so. */
    static final class ManualSocket implements PeerSocket {
        final List<String> sent = new ArrayList<>();
        final List<SendCallback> pending = new ArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        volatile int maxInFlight;
        volatile int pings;

        @Override
        public synchronized void send(String frame, SendCallback done) {
            maxInFlight = Math.max(maxInFlight, inFlight.incrementAndGet());
            sent.add(frame);
            pending.add(done);
        }

        /** Completes the oldest send in flight (outside the lock: completion may send the next). */
        void completeOne() {
            SendCallback done;
            synchronized (this) {
                done = pending.remove(0);
                inFlight.decrementAndGet();
            }
            done.completed(null);
        }

        synchronized int sentCount() {
            return sent.size();
        }

        @Override
        public void ping() {
            pings++;
        }

        volatile int closedWith;

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }
    }

    private static final long RELAY_WAIT = TimeUnit.MILLISECONDS.toNanos(100);

    /** A live, not resumable peer whose queue holds {@code maxBytes}. */
    static Peer peer(PeerSocket socket, long maxBytes) {
        return new Peer("p", "t", null, "req", socket, false, Credentials.NONE, new QueueLimits(maxBytes, new NodeQueueBudget(1L << 40),
                TopicObserver.NONE, 0));
    }

    /** A resumable peer keeping {@code replayChars} of what it was sent for a resume. */
    static Peer resumablePeer(PeerSocket socket, long maxBytes, int replayChars) {
        return new Peer("p", "t", null, "req", socket, true, Credentials.NONE, new QueueLimits(maxBytes, new NodeQueueBudget(1L << 40),
                TopicObserver.NONE, replayChars));
    }

    static Frame frame(String text) {
        return Frame.control(text);
    }

    static Frame relayFrame(String text) {
        return Frame.relay(text, 1, "sender", null, null);
    }

    private static boolean offer(Peer peer, Frame frame) {
        return peer.deliver(frame, 0) == Peer.Delivery.QUEUED;
    }

    @Test
    void neverTwoSendsInFlight() {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 1 << 20);
        for (int i = 0; i < 10; i++) {
            assertTrue(offer(peer, relayFrame("m" + i)));
        }
        assertEquals(1, socket.sentCount(), "only the first frame is handed to the socket");
        for (int i = 0; i < 10; i++) {
            socket.completeOne();
        }
        assertEquals(1, socket.maxInFlight);
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), socket.sent);
    }

    @Test
    void theQueueIsBoundedInBytesNotInMessages() {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 1000);
        assertTrue(offer(peer, relayFrame("x".repeat(400)))); // in flight: still counted
        for (int i = 0; i < 60; i++) { // 60 frames of 10 bytes: far more than 16 messages
            assertTrue(offer(peer, relayFrame("y".repeat(10))), "frame " + i);
        }
        assertEquals(1000, peer.outbox().queuedBytes());
        assertFalse(offer(peer, relayFrame("z")), "one byte more does not fit");
        assertFalse(peer.enqueue(frame("{\"type\":\"peer-left\"}")), "nor does an event: a slow consumer");
        socket.completeOne(); // the 400 bytes in flight are written: room for events and relays again
        assertTrue(peer.enqueue(frame("e".repeat(300))));
        assertTrue(offer(peer, relayFrame("r".repeat(100))));
        assertEquals(1000, peer.outbox().queuedBytes());
    }

    @Test
    void aFrameLargerThanTheBudgetFitsAnEmptyQueue() {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 100);
        assertTrue(offer(peer, relayFrame("b".repeat(500))), "alone it goes, whatever its size");
        assertFalse(offer(peer, relayFrame("c")));
    }

    @Test
    void bytesAreCountedAsUtf8() {
        assertEquals(3, Frame.control("€").bytes());
        assertEquals(2, Frame.control("é").bytes());
        assertEquals(4, Frame.control("\uD83D\uDE00").bytes(), "a surrogate pair is one 4-byte character");
        assertEquals(5, Frame.control("a€b").bytes());
    }

    @Test
    void theNodeCapRefusesRelaysButNotEvents() {
        NodeQueueBudget node = new NodeQueueBudget(100);
        ManualSocket a = new ManualSocket();
        ManualSocket b = new ManualSocket();
        QueueLimits limits = new QueueLimits(1 << 20, node, TopicObserver.NONE, 0);
        Peer pa = new Peer("a", "t", null, "req", a, false, Credentials.NONE, limits);
        Peer pb = new Peer("b", "t", null, "req", b, false, Credentials.NONE, limits);
        assertTrue(offer(pa, relayFrame("a".repeat(60))));
        assertTrue(offer(pb, relayFrame("b".repeat(40))));
        assertEquals(100, node.used());
        assertEquals(Peer.Delivery.DROPPED, pb.deliver(relayFrame("c"), RELAY_WAIT), "the node is full: dropped at once");
        assertTrue(pb.enqueue(frame("{\"type\":\"peer-joined\"}")), "events are never refused for the node's sake");
        a.completeOne();
        assertTrue(offer(pb, relayFrame("d".repeat(30))), "room again: 40 + 22 + 30 bytes");
        pb.close(1000, "bye");
        assertEquals(0, node.used(), "a closed peer gives its bytes back");
    }

    @Test
    void relayOfferWaitsForRoomUpToTheRelayWait() throws Exception {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 30);
        offer(peer, relayFrame("in flight!")); // 10 bytes each
        offer(peer, relayFrame("q1--------"));
        offer(peer, relayFrame("q2--------"));

        long start = System.nanoTime();
        assertEquals(Peer.Delivery.DROPPED, peer.deliver(relayFrame("late"), RELAY_WAIT), "no room came: dropped");
        assertTrue(System.nanoTime() - start >= RELAY_WAIT, "gave up only after the relay wait");

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Peer.Delivery> offered = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return peer.deliver(relayFrame("fits"), TimeUnit.SECONDS.toNanos(10));
        });
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        socket.completeOne(); // frees 10 bytes: the waiting relay takes them
        assertEquals(Peer.Delivery.QUEUED, offered.get(5, TimeUnit.SECONDS));
        socket.completeOne();
        socket.completeOne();
        socket.completeOne();
        assertEquals(List.of("in flight!", "q1--------", "q2--------", "fits"), socket.sent);
    }

    @Test
    void inlineCompletionsDoNotRecurse() {
        // A socket that completes every send on the caller's thread, and whose every send makes
        // the next frame arrive (as when the completion thread relays): a drain that recursed
        // from the completion would be 100 000 frames deep and overflow the stack.
        int total = 100_000;
        List<String> sent = new ArrayList<>();
        Peer[] peer = new Peer[1];
        PeerSocket socket = new PeerSocket() {
            @Override
            public void send(String frame, SendCallback done) {
                sent.add(frame);
                if (sent.size() < total) {
                    assertTrue(offer(peer[0], relayFrame(String.valueOf(sent.size()))));
                }
                done.completed(null);
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(int code, String reason) {
            }
        };
        peer[0] = peer(socket, 1 << 20);
        assertTrue(offer(peer[0], relayFrame("0")));
        assertEquals(total, sent.size());
        assertEquals(String.valueOf(total - 1), sent.get(total - 1));
    }

    /**
     * Completions that arrive on other threads while the sending thread is still inside send (as
     * Liberty does when a write completes at once on a selector thread): every frame is sent
     * exactly once, in order, never two at a time. The old pump marked an inline completion in a
     * field "only touched by the sending thread", which such a completion overwrote.
     */
    @Test
    void completionsOnOtherThreadsDuringSendNeverLoseOrDoubleAFrame() throws Exception {
        java.util.concurrent.ExecutorService completer = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicInteger inFlight = new AtomicInteger();
                AtomicInteger maxInFlight = new AtomicInteger();
                PeerSocket socket = new PeerSocket() {
                    @Override
                    public void send(String frame, SendCallback done) {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        sent.add(frame);
                        CountDownLatch reported = new CountDownLatch(1);
                        completer.execute(() -> {
                            inFlight.decrementAndGet();
                            done.completed(null);
                            reported.countDown();
                        });
                        if (frame.hashCode() % 2 == 0) { // sometimes the completion has come before send returns
                            try {
                                reported.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }

                    @Override
                    public void ping() {
                    }

                    @Override
                    public void close(int code, String reason) {
                    }
                };
                Peer peer = peer(socket, 1 << 20);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    expected.add("f" + i);
                    assertTrue(offer(peer, relayFrame("f" + i)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sent.size() < expected.size() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                synchronized (sent) {
                    assertEquals(expected, sent, "round " + round);
                }
                assertEquals(1, maxInFlight.get(), "round " + round + ": never two in flight");
            }
        } finally {
            completer.shutdownNow();
        }
    }

    @Test
    void pingWaitsForTheSendInFlightAndJumpsTheQueue() {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 1 << 20);
        offer(peer, relayFrame("a"));
        offer(peer, relayFrame("b"));
        peer.ping(System.nanoTime());
        assertEquals(0, socket.pings, "not while a frame is in flight");
        socket.completeOne();
        assertEquals(1, socket.pings);
        assertEquals(List.of("a", "b"), socket.sent);
    }

    @Test
    void closedPeerTakesNothingAndReturnsWhatItStillHeld() {
        ManualSocket socket = new ManualSocket();
        Peer peer = peer(socket, 1 << 20);
        offer(peer, relayFrame("in flight"));
        offer(peer, relayFrame("queued"));
        List<Frame> undelivered = peer.close(1001, "bye");
        assertEquals(List.of("queued"), undelivered.stream().map(Frame::text).toList(),
                "the one never handed to the socket, for its sender to hear of");
        assertEquals(1001, socket.closedWith);
        assertEquals(List.of(), peer.close(1001, "bye"));
        assertEquals(Peer.Delivery.GONE, peer.deliver(relayFrame("x"), RELAY_WAIT));
        assertTrue(peer.enqueue(frame("x")), "nothing to do, and not a slow consumer");
        socket.completeOne();
        assertEquals(1, socket.sentCount());
    }

    @Test
    void aPeerThatDidNotAskForResumeIsNeverHeld() {
        Peer peer = peer(new ManualSocket(), 1 << 20);
        assertFalse(peer.suspend(System.nanoTime()));
        assertEquals(Peer.State.LIVE, peer.state());
    }

    @Test
    void whileAwayRelaysAreHeldAndEventsLeftOut() {
        ManualSocket socket = new ManualSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0);
        assertTrue(peer.suspend(System.nanoTime()));
        assertTrue(offer(peer, relayFrame("r1")));
        assertTrue(peer.enqueue(frame("peer-joined")), "accepted, and replaced by the peer-list of its return");
        assertEquals(1, peer.outbox().queuedFrames());
        assertEquals(0, socket.sentCount());
    }

    @Test
    void anExpiryAndAResumeNeverBothWin() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 500; round++) {
                Peer peer = resumablePeer(new ManualSocket(), 1 << 20, 0);
                long lost = System.nanoTime() - TimeUnit.SECONDS.toNanos(20);
                peer.suspend(lost);
                offer(peer, relayFrame("{\"m\":\"held\"}"));
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                RecordingSocket back = new RecordingSocket();
                java.util.concurrent.Future<List<Frame>> expiry = pool.submit(() -> {
                    start.await();
                    return peer.expire(System.nanoTime(), TimeUnit.SECONDS.toNanos(15));
                });
                java.util.concurrent.Future<Boolean> resume = pool.submit(() -> {
                    start.await();
                    return peer.resume(back, "req2", Credentials.NONE, List.of(frame("{\"m\":\"w\"}")), System.nanoTime(), -1);
                });
                List<Frame> expired = expiry.get(5, TimeUnit.SECONDS);
                boolean resumed = resume.get(5, TimeUnit.SECONDS);
                assertTrue(resumed ^ (expired != null), "round " + round + ": exactly one wins");
                if (resumed) {
                    peer.flush();
                    assertEquals(Peer.State.LIVE, peer.state());
                    assertEquals(2, back.messages().size(), "welcome and the held relay");
                } else {
                    assertEquals(Peer.State.CLOSED, peer.state());
                    assertEquals(List.of("{\"m\":\"held\"}"), expired.stream().map(Frame::text).toList(),
                            "for its sender to hear of");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMoveTakesTheHeldRelaysInOrderAndKeepsWhatComesMeanwhileForTheNewNode() {
        ManualSocket socket = new ManualSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0);
        peer.suspend(System.nanoTime());
        assertTrue(offer(peer, relayFrame("r1")));
        assertTrue(peer.enqueue(frame("peer-joined")));
        assertTrue(offer(peer, relayFrame("r2")));
        List<Frame> handedOver = peer.startMove("n2", -1);

        assertEquals(List.of("r1", "r2"), handedOver.stream().map(Frame::text).toList(),
                "relays only, in order: the new node sends a fresh peer-list");
        assertEquals("n2", peer.movedTo());
        assertEquals(Peer.Delivery.QUEUED, peer.deliver(relayFrame("meanwhile"), RELAY_WAIT), "kept for the new node");
        assertEquals(List.of("meanwhile"), peer.finishMove().stream().map(Frame::text).toList());
        assertEquals(Peer.Delivery.MOVED, peer.deliver(relayFrame("late"), RELAY_WAIT), "the caller sends it on to n2");
        assertEquals(0, peer.outbox().queuedFrames());
        assertEquals(0, socket.sentCount());
    }

    @Test
    void aMoveOfAConnectedPeerClosesItsOldConnection() {
        ManualSocket socket = new ManualSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0);
        offer(peer, relayFrame("in-flight"));
        offer(peer, relayFrame("queued"));
        List<Frame> handedOver = peer.startMove("n2", -1);
        assertEquals(List.of("queued"), handedOver.stream().map(Frame::text).toList());
        assertEquals(1001, socket.closedWith);
        socket.completeOne(); // the old connection's last send reports back: nothing more goes there
        assertEquals(1, socket.sentCount());
    }

    /**
     * Senders race a move: every relay the peer accepted is either in the hand-over, kept for the
     * new node, or was sent before it; none stays behind in the abandoned queue.
     */
    @Test
    void noAcceptedRelayIsLeftBehindByAMove() throws Exception {
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 300; round++) {
                ManualSocket socket = new ManualSocket();
                Peer peer = resumablePeer(socket, 1L << 30, 0);
                java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int sender = t;
                    running.add(senders.submit(() -> {
                        start.await();
                        for (int i = 0; i < 300; i++) {
                            String text = sender + "-" + i;
                            if (offer(peer, relayFrame(text))) {
                                accepted.add(text);
                            }
                        }
                        return null;
                    }));
                }
                start.await();
                for (int spin = round % 50; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                List<Frame> handedOver = peer.startMove("n2", -1);
                for (java.util.concurrent.Future<?> f : running) {
                    f.get(10, TimeUnit.SECONDS);
                }
                java.util.Set<String> accounted = new java.util.HashSet<>();
                handedOver.forEach(f -> accounted.add(f.text()));
                peer.finishMove().forEach(f -> accounted.add(f.text()));
                synchronized (socket) {
                    accounted.addAll(socket.sent);
                }
                accepted.removeAll(accounted);
                assertEquals(java.util.Set.of(), accepted, "round " + round + ": accepted but neither sent nor handed over");
            }
        } finally {
            senders.shutdownNow();
        }
    }

    private static List<String> texts(RecordingSocket socket) {
        return socket.messages().stream().map(m -> m.getString("m")).toList();
    }

    private static Frame text(String m) {
        return Frame.control("{\"m\":\"" + m + "\"}");
    }

    /** Queues a frame as the registry would: a relay is delivered, anything else enqueued and flushed. */
    private static boolean push(Peer peer, Frame frame) {
        if (frame.isRelay()) {
            return peer.deliver(frame, 0) == Peer.Delivery.QUEUED;
        }
        boolean queued = peer.enqueue(frame);
        peer.flush();
        return queued;
    }

    private static Frame relay(String m) {
        return Frame.relay("{\"m\":\"" + m + "\"}", 1, "sender", null, null);
    }

    @Test
    void aResumeThatSaysWhatItReceivedGetsAgainWhatTheLostConnectionSwallowed() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = resumablePeer(first, 16 * 1000L, 1000);
        for (Frame frame : List.of(text("welcome"), text("list"), relay("r1"), relay("r2"), text("joined"), relay("r3"))) {
            assertTrue(push(peer, frame));
        }
        assertEquals(6, first.messages().size(), "all six written to the socket");
        peer.suspend(System.nanoTime());
        assertTrue(push(peer, relay("held")));

        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", Credentials.NONE, List.of(text("welcome2"), text("list2")), System.nanoTime(), 3);
        peer.flush(); // got welcome, list, r1
        assertEquals(List.of("welcome2", "list2", "r2", "r3", "held"), texts(second),
                "the relays after the third frame, then the held one; membership is in the new list");

        // the count starts again on the new connection
        assertTrue(push(peer, relay("r4")));
        peer.suspend(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.resume(third, "req3", Credentials.NONE, List.of(text("welcome3"), text("list3")), System.nanoTime(), 5);
        peer.flush();
        assertEquals(List.of("welcome3", "list3", "r4"), texts(third));
    }

    @Test
    void aResumeThatDoesNotSayGetsOnlyTheHeldRelaysAndTheLogIsBounded() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = resumablePeer(first, 16 * 1000L, 15); // one relay of 10 chars fits, not two
        push(peer, relay("r1"));
        push(peer, relay("r2"));
        peer.suspend(System.nanoTime());
        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", Credentials.NONE, List.of(text("w"), text("l")), System.nanoTime(), -1);
        peer.flush();
        assertEquals(List.of("w", "l"), texts(second));

        push(peer, relay("r3"));
        push(peer, relay("r4"));
        push(peer, relay("r5"));
        peer.suspend(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.resume(third, "req3", Credentials.NONE, List.of(text("w"), text("l")), System.nanoTime(), 0);
        peer.flush();
        assertEquals(List.of("w", "l", "r5"), texts(third), "only what the budget kept");
    }

    @Test
    void aHandOverCarriesTheSwallowedRelaysBeforeTheHeldOnes() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = resumablePeer(first, 16 * 1000L, 1000);
        push(peer, text("welcome"));
        push(peer, relay("r1"));
        push(peer, relay("r2"));
        peer.suspend(System.nanoTime());
        push(peer, relay("held"));
        List<String> handedOver = peer.startMove("n2", 2).stream().map(Frame::text).toList();
        assertEquals(List.of("{\"m\":\"r2\"}", "{\"m\":\"held\"}"), handedOver);
    }

    /**
     * A sender keeps the old connection busy while the client comes back on a new one (the server
     * had not noticed the old one was dead): the new connection starts with its welcome and
     * peer-list every time, and the old one never gets a frame queued after the resume.
     */
    @Test
    void aResumeWhileTheOldConnectionIsBusyNeverLosesTheWelcomeToIt() throws Exception {
        java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 150; round++) {
                RecordingSocket old = new RecordingSocket();
                Peer peer = resumablePeer(old, 64 * 1000L, 1000);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                CountDownLatch started = new CountDownLatch(1);
                java.util.concurrent.Future<?> flood = sender.submit(() -> {
                    started.countDown();
                    for (int i = 0; !stop.get(); i++) {
                        push(peer, relay("f" + i));
                    }
                });
                started.await();
                for (int spin = round % 40; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                RecordingSocket fresh = new RecordingSocket();
                peer.resume(fresh, "req2", Credentials.NONE, List.of(text("welcome2"), text("list2")), System.nanoTime(), -1);
                peer.flush();
                stop.set(true);
                flood.get(10, TimeUnit.SECONDS);
                List<String> got = texts(fresh);
                assertEquals(List.of("welcome2", "list2"), got.subList(0, 2), "round " + round + ": " + got);
                List<Integer> before = texts(old).stream().map(m -> Integer.parseInt(m.substring(1))).toList();
                List<Integer> after = got.subList(2, got.size()).stream().map(m -> Integer.parseInt(m.substring(1))).toList();
                if (!before.isEmpty() && !after.isEmpty()) {
                    assertTrue(before.get(before.size() - 1) < after.get(0), "round " + round + ": in order across the resume");
                }
            }
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void relaysSentBeforeTheCutOffAreForgottenWhileTheConnectionLives() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = resumablePeer(first, 16 * 1000L, 1000);
        push(peer, text("welcome"));
        push(peer, relay("old"));
        long cutOff = System.nanoTime();
        push(peer, relay("recent"));
        peer.outbox().forgetSentBefore(cutOff);
        peer.suspend(System.nanoTime());
        peer.outbox().forgetSentBefore(System.nanoTime()); // a held peer keeps its log
        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", Credentials.NONE, List.of(text("w"), text("l")), System.nanoTime(), 1);
        peer.flush();
        assertEquals(List.of("w", "l", "recent"), texts(second));
    }
}
