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

    @Test
    void neverTwoSendsInFlight() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        for (int i = 0; i < 10; i++) {
            assertTrue(peer.offer(Frame.of("m" + i)));
        }
        assertEquals(1, socket.sentCount(), "only the first frame is handed to the socket");
        for (int i = 0; i < 10; i++) {
            socket.completeOne();
        }
        assertEquals(1, socket.maxInFlight);
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), socket.sent);
    }

    @Test
    void broadcastOfferFailsAtOnceWhenTheQueueIsFull() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        assertTrue(peer.offer(Frame.of("in flight")));
        for (int i = 0; i < 16; i++) {
            assertTrue(peer.offer(Frame.of("q" + i)));
        }
        assertFalse(peer.offer(Frame.of("one too many")));
        assertEquals(16, peer.queued());
    }

    @Test
    void relayOfferWaitsForRoomUpToTheRelayWait() throws Exception {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 2);
        peer.offer(Frame.of("in flight"));
        peer.offer(Frame.of("q1"));
        peer.offer(Frame.of("q2"));

        long start = System.nanoTime();
        assertFalse(peer.offer(Frame.of("late"), RELAY_WAIT), "no room came: dropped");
        assertTrue(System.nanoTime() - start >= RELAY_WAIT, "gave up only after the relay wait");

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> offered = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return peer.offer(Frame.of("fits"), TimeUnit.SECONDS.toNanos(10));
        });
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        socket.completeOne(); // frees one slot: the waiting relay takes it
        assertTrue(offered.get(5, TimeUnit.SECONDS));
        socket.completeOne();
        socket.completeOne();
        socket.completeOne();
        assertEquals(List.of("in flight", "q1", "q2", "fits"), socket.sent);
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
                    assertTrue(peer[0].offer(Frame.of(String.valueOf(sent.size()))));
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
        peer[0] = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        assertTrue(peer[0].offer(Frame.of("0")));
        assertEquals(total, sent.size());
        assertEquals(String.valueOf(total - 1), sent.get(total - 1));
    }

    @Test
    void pingWaitsForTheSendInFlightAndJumpsTheQueue() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        peer.offer(Frame.of("a"));
        peer.offer(Frame.of("b"));
        peer.ping(System.nanoTime());
        assertEquals(0, socket.pings, "not while a frame is in flight");
        socket.completeOne();
        assertEquals(1, socket.pings);
        assertEquals(List.of("a", "b"), socket.sent);
    }

    @Test
    void closedPeerTakesNothing() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        assertTrue(peer.close(1001, "bye"));
        assertFalse(peer.close(1001, "bye"));
        assertFalse(peer.offer(Frame.of("x")));
        assertFalse(peer.offer(Frame.of("x"), RELAY_WAIT));
    }

    @Test
    void aHandOverTakesTheHeldRelaysInOrderAndRefusesWhatComesAfter() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        peer.suspend(System.nanoTime());
        assertTrue(peer.offer(Frame.relay("r1", 1)));
        assertTrue(peer.offer(Frame.of("peer-joined")));
        assertTrue(peer.offer(Frame.relay("r2", 1), RELAY_WAIT));
        List<String> handedOver = new ArrayList<>();
        peer.handOver("n2", -1, handedOver::addAll);

        assertEquals(List.of("r1", "r2"), handedOver, "relays only, in order: the new node sends a fresh peer-list");
        assertEquals("n2", peer.movedTo());
        assertFalse(peer.offer(Frame.relay("late", 1)), "refused: the caller sends it on to n2");
        assertEquals(0, peer.queued());
        assertEquals(0, socket.sentCount());
    }

    @Test
    void aHandOverOfAConnectedPeerClosesItsOldConnection() {
        ManualSocket socket = new ManualSocket();
        Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 16);
        peer.offer(Frame.relay("in-flight", 1));
        peer.offer(Frame.relay("queued", 1));
        List<String> handedOver = new ArrayList<>();
        peer.handOver("n2", -1, handedOver::addAll);
        assertEquals(List.of("queued"), handedOver);
        assertEquals(1001, socket.closedWith);
        socket.completeOne(); // the old connection's last send reports back: nothing more goes there
        assertEquals(1, socket.sentCount());
    }

    /**
     * Senders race a hand-over: every relay the peer accepted is either in the hand-over or was
     * sent before it; none stays behind in the abandoned queue.
     */
    @Test
    void noAcceptedRelayIsLeftBehindByAHandOver() throws Exception {
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 300; round++) {
                ManualSocket socket = new ManualSocket();
                Peer peer = new Peer("p", "t", null, "req", socket, TopicObserver.NONE, 100_000);
                java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int sender = t;
                    running.add(senders.submit(() -> {
                        start.await();
                        for (int i = 0; i < 300; i++) {
                            String text = sender + "-" + i;
                            if (peer.offer(Frame.relay(text, 1))) {
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
                List<String> handedOver = new ArrayList<>();
                peer.handOver("n2", -1, handedOver::addAll);
                for (java.util.concurrent.Future<?> f : running) {
                    f.get(10, TimeUnit.SECONDS);
                }
                java.util.Set<String> accounted = new java.util.HashSet<>(handedOver);
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
        return Frame.of("{\"m\":\"" + m + "\"}");
    }

    private static Frame relay(String m) {
        return Frame.relay("{\"m\":\"" + m + "\"}", 1);
    }

    @Test
    void aResumeThatSaysWhatItReceivedGetsAgainWhatTheLostConnectionSwallowed() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = new Peer("p", "t", null, "req", first, TopicObserver.NONE, 16, 1000);
        for (Frame frame : List.of(text("welcome"), text("list"), relay("r1"), relay("r2"), text("joined"), relay("r3"))) {
            assertTrue(peer.offer(frame));
        }
        assertEquals(6, first.messages().size(), "all six written to the socket");
        peer.suspend(System.nanoTime());
        assertTrue(peer.offer(relay("held")));

        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", text("welcome2"), text("list2"), System.nanoTime(), 3); // got welcome, list, r1
        assertEquals(List.of("welcome2", "list2", "r2", "r3", "held"), texts(second),
                "the relays after the third frame, then the held one; membership is in the new list");

        // the count starts again on the new connection
        assertTrue(peer.offer(relay("r4")));
        peer.suspend(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.resume(third, "req3", text("welcome3"), text("list3"), System.nanoTime(), 5);
        assertEquals(List.of("welcome3", "list3", "r4"), texts(third));
    }

    @Test
    void aResumeThatDoesNotSayGetsOnlyTheHeldRelaysAndTheLogIsBounded() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = new Peer("p", "t", null, "req", first, TopicObserver.NONE, 16, 15); // one relay of 10 chars fits, not two
        peer.offer(relay("r1"));
        peer.offer(relay("r2"));
        peer.suspend(System.nanoTime());
        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", text("w"), text("l"), System.nanoTime(), -1);
        assertEquals(List.of("w", "l"), texts(second));

        peer.offer(relay("r3"));
        peer.offer(relay("r4"));
        peer.offer(relay("r5"));
        peer.suspend(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.resume(third, "req3", text("w"), text("l"), System.nanoTime(), 0);
        assertEquals(List.of("w", "l", "r5"), texts(third), "only what the budget kept");
    }

    @Test
    void aHandOverCarriesTheSwallowedRelaysBeforeTheHeldOnes() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = new Peer("p", "t", null, "req", first, TopicObserver.NONE, 16, 1000);
        peer.offer(text("welcome"));
        peer.offer(relay("r1"));
        peer.offer(relay("r2"));
        peer.suspend(System.nanoTime());
        peer.offer(relay("held"));
        List<String> handedOver = new ArrayList<>();
        peer.handOver("n2", 2, handedOver::addAll);
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
                Peer peer = new Peer("p", "t", null, "req", old, TopicObserver.NONE, 64, 1000);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                CountDownLatch started = new CountDownLatch(1);
                java.util.concurrent.Future<?> flood = sender.submit(() -> {
                    started.countDown();
                    for (int i = 0; !stop.get(); i++) {
                        peer.offer(relay("f" + i));
                    }
                });
                started.await();
                for (int spin = round % 40; spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                RecordingSocket fresh = new RecordingSocket();
                peer.resume(fresh, "req2", text("welcome2"), text("list2"), System.nanoTime(), -1);
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
        Peer peer = new Peer("p", "t", null, "req", first, TopicObserver.NONE, 16, 1000);
        peer.offer(text("welcome"));
        peer.offer(relay("old"));
        long cutOff = System.nanoTime();
        peer.offer(relay("recent"));
        peer.forgetSentBefore(cutOff);
        peer.suspend(System.nanoTime());
        peer.forgetSentBefore(System.nanoTime()); // a held peer keeps its log
        RecordingSocket second = new RecordingSocket();
        peer.resume(second, "req2", text("w"), text("l"), System.nanoTime(), 1);
        assertEquals(List.of("w", "l", "recent"), texts(second));
    }
}
