package org.lanscape.signaling.session;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.NodeQueueBudget;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.delivery.QueueLimits;
import org.lanscape.signaling.delivery.RecordingSocket;
import org.lanscape.signaling.delivery.SendWindow;
import org.lanscape.signaling.delivery.WriterThreads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PeerTest {

    private static final long RELAY_WAIT = TimeUnit.MILLISECONDS.toNanos(100);
    /** The smallest window the configuration allows. */
    public static final long SMALL_WINDOW = 16 << 10;
    private static final long NO_WINDOW_LIMIT = 1L << 30;

    /** A live, not resumable peer whose queue holds {@code maxBytes}, and whose client never needs to answer a ping. */
    public static Peer peer(PeerSocket socket, long maxBytes) {
        return peer(socket, maxBytes, NO_WINDOW_LIMIT);
    }

    public static Peer peer(PeerSocket socket, long maxBytes, long window) {
        return new Peer("p", "t", null, "req", socket, false, Credentials.NONE, new QueueLimits(maxBytes,
                new NodeQueueBudget(1L << 40), nanos -> { }, window, 0, WriterThreads.inline()));
    }

    /** A resumable peer keeping {@code replayBytes} of what it was sent for a resume. */
    public static Peer resumablePeer(PeerSocket socket, long maxBytes, int replayBytes) {
        return resumablePeer(socket, maxBytes, replayBytes, NO_WINDOW_LIMIT);
    }

    public static Peer resumablePeer(PeerSocket socket, long maxBytes, int replayBytes, long window) {
        return new Peer("p", "t", null, "req", socket, true, Credentials.NONE, new QueueLimits(maxBytes,
                new NodeQueueBudget(1L << 40), nanos -> { }, window, replayBytes, WriterThreads.inline()));
    }

    public static Frame frame(String text) {
        return Frame.control(text);
    }

    public static Frame relayFrame(String text) {
        return Frame.relay(text, 1, "sender", null, null);
    }

    private static boolean offer(Peer peer, Frame frame) {
        return peer.deliver(frame, 0) == Peer.Delivery.QUEUED;
    }

    /**
     * The client stops reading (and so answering pings): its send window is filled with padding,
     * so that the next frame waits for a pong; nothing is left queued.
     */
    public static void stall(Peer peer) {
        while (true) {
            long room = peer.outbox().windowRoom();
            if (room <= SendWindow.FRAME_OVERHEAD) {
                return;
            }
            int chars = (int) (Math.min(room, SMALL_WINDOW / 4) - SendWindow.FRAME_OVERHEAD);
            assertTrue(peer.enqueue(Frame.control("x".repeat(chars))));
            peer.flush();
            assertEquals(0, peer.outbox().queuedFrames(), "the padding fits the window");
        }
    }

    /** A socket whose writes block while {@link #hold} is set, until {@link #release}. */
    static class BlockingSocket extends RecordingSocket {
        volatile CountDownLatch hold;
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void send(String frame) {
            CountDownLatch h = hold;
            if (h != null) {
                entered.countDown();
                try {
                    assertTrue(h.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.send(frame);
        }

        void release() {
            CountDownLatch h = hold;
            hold = null;
            h.countDown();
        }
    }

    @Test
    void framesBeyondTheWindowWaitForThePongThatAnswersTheServersPing() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String text = "f" + i + "-" + "x".repeat(1000);
            expected.add(text);
            assertTrue(offer(peer, relayFrame(text)));
            assertTrue(peer.outbox().unconfirmedBytes() <= SMALL_WINDOW, "never more unconfirmed than the window");
        }
        int before = socket.sentCount();
        assertTrue(before > 0 && before < 40, "the window holds some of them: " + before);
        assertEquals(1, socket.pings.size(), "one ping asks the client to confirm them");
        assertFalse(peer.pong(ByteBuffer.allocate(8).putLong(0, socket.pings.get(0) + 1)), "a pong with other data confirms nothing");
        assertFalse(peer.pong(ByteBuffer.allocate(3)), "nor one of another size");
        assertEquals(before, socket.sentCount());

        int pongs = 0;
        while (socket.sentCount() < 40) {
            int sent = socket.sentCount();
            int pings = socket.pings.size();
            long answered = socket.pings.get(pings - 1);
            assertTrue(socket.pong(peer), "the client answers the latest ping");
            pongs++;
            assertTrue(socket.sentCount() > sent, "the pong let more go");
            assertTrue(socket.sentCount() == 40 || socket.pings.size() == pings + 1, "and a new ping went with them");
            assertFalse(peer.pong(ByteBuffer.allocate(8).putLong(0, answered)), "an answered ping confirms once");
            assertTrue(pongs < 40);
        }
        assertEquals(expected, socket.texts());
        assertEquals(0, peer.outbox().queuedBytes());
    }

    @Test
    void aMessageLargerThanTheWindowGoesOutInPartsAndNothingCutsIn() {
        List<String> parts = Collections.synchronizedList(new ArrayList<>());
        RecordingSocket socket = new RecordingSocket() {
            @Override
            public void sendPart(String part, boolean last) {
                parts.add(part);
                super.sendPart(part, last);
            }
        };
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        StringBuilder big = new StringBuilder();
        while (big.length() < 40_000) {
            big.append("a€\uD83D\uDE00"); // 1, 3 and 4 bytes: parts must not split the pair
        }
        String fitsWhole = "w".repeat((int) (SMALL_WINDOW - SendWindow.PING_COST - SendWindow.FRAME_OVERHEAD));
        assertTrue(offer(peer, relayFrame(fitsWhole)));
        assertTrue(offer(peer, relayFrame(big.toString())));
        assertTrue(offer(peer, relayFrame("after")));
        for (int i = 0; i < 100 && socket.sentCount() < 3; i++) {
            assertTrue(socket.pong(peer));
        }
        assertEquals(List.of(fitsWhole, big.toString(), "after"), socket.texts(),
                "the one that fits the window whole, the other in parts, and the next only after it");
        assertTrue(parts.size() > 4, "in parts: " + parts.size());
        for (String part : parts) {
            assertFalse(Character.isHighSurrogate(part.charAt(part.length() - 1)), "a pair is never split");
            assertTrue(org.lanscape.signaling.protocol.Utf8.length(part) + SendWindow.FRAME_OVERHEAD <= SMALL_WINDOW / 4);
        }
    }

    /**
     * A frame that fits the window, but not what is left of it, while less than half the window is
     * unconfirmed (no ping wanted for that yet), asks for the ping itself: it does not wait for the
     * watchdog's, which comes after the write timeout would have closed a client that reads.
     */
    @Test
    void aFrameThatDoesNotFitWhatIsLeftOfTheWindowAsksForAPing() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        String third = "t".repeat((int) (SMALL_WINDOW / 3) - SendWindow.FRAME_OVERHEAD);
        assertTrue(offer(peer, relayFrame(third)));
        assertTrue(peer.outbox().unconfirmedBytes() < SMALL_WINDOW / 2, "less than half the window unconfirmed");
        String large = "l".repeat((int) (SMALL_WINDOW * 3 / 4));
        assertTrue(offer(peer, relayFrame(large)));
        assertEquals(List.of(third), socket.texts(), "the large one does not fit what is left");
        assertEquals(1, socket.pings.size(), "so a ping asks the client to confirm");
        assertTrue(socket.pong(peer));
        assertEquals(List.of(third, large), socket.texts());
    }

    @Test
    void theQueueIsBoundedInBytesNotInMessages() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1000, SMALL_WINDOW);
        stall(peer);
        assertTrue(offer(peer, relayFrame("x".repeat(400))));
        for (int i = 0; i < 60; i++) { // 60 frames of 10 bytes: far more than 16 messages
            assertTrue(offer(peer, relayFrame("y".repeat(10))), "frame " + i);
        }
        assertEquals(1000, peer.outbox().queuedBytes());
        assertFalse(offer(peer, relayFrame("z")), "one byte more does not fit");
        assertFalse(peer.enqueue(frame("{\"type\":\"peer-left\"}")), "nor does an event: a slow consumer");
        assertTrue(socket.pong(peer)); // the client read: the 400 bytes and more go out
        assertTrue(peer.enqueue(frame("e".repeat(300))));
        assertTrue(offer(peer, relayFrame("r".repeat(100))));
    }

    @Test
    void aFrameLargerThanTheBudgetFitsAnEmptyQueue() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 100, SMALL_WINDOW);
        stall(peer);
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
        RecordingSocket a = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        QueueLimits limits = new QueueLimits(1 << 20, node, nanos -> { }, SMALL_WINDOW, 0, WriterThreads.inline());
        Peer pa = new Peer("a", "t", null, "req", a, false, Credentials.NONE, limits);
        Peer pb = new Peer("b", "t", null, "req", b, false, Credentials.NONE, limits);
        stall(pa);
        stall(pb);
        assertTrue(offer(pa, relayFrame("a".repeat(60))));
        assertTrue(offer(pb, relayFrame("b".repeat(40))));
        assertEquals(100, node.used());
        assertEquals(Peer.Delivery.DROPPED, pb.deliver(relayFrame("c"), RELAY_WAIT), "the node is full: dropped at once");
        assertTrue(pb.enqueue(frame("{\"type\":\"peer-joined\"}")), "events are never refused for the node's sake");
        assertTrue(a.pong(pa));
        assertTrue(offer(pb, relayFrame("d".repeat(30))), "room again: 40 + 22 + 30 bytes");
        pb.session().end(1000, "bye", false);
        assertEquals(0, node.used(), "a closed peer gives its bytes back");
    }

    @Test
    void relayOfferWaitsForRoomUpToTheRelayWait() throws Exception {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 30, SMALL_WINDOW);
        stall(peer);
        int padding = socket.sentCount();
        offer(peer, relayFrame("q0--------")); // 10 bytes each
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
        assertTrue(socket.pong(peer)); // the queue drains: the waiting relay gets room
        assertEquals(Peer.Delivery.QUEUED, offered.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("q0--------", "q1--------", "q2--------", "fits"),
                socket.texts().subList(padding, socket.sentCount()));
    }

    @Test
    void aWriteThatMakesTheNextFrameArriveDoesNotRecurse() {
        // Every write makes the next frame arrive (as when the writing thread relays): a pump
        // that recursed into the next write would be 100 000 frames deep and overflow the stack.
        int total = 100_000;
        Peer[] peer = new Peer[1];
        RecordingSocket socket = new RecordingSocket() {
            @Override
            public void send(String frame) {
                super.send(frame);
                if (sentCount() < total) {
                    assertTrue(offer(peer[0], relayFrame(String.valueOf(sentCount()))));
                }
            }
        };
        peer[0] = peer(socket, 1 << 20);
        assertTrue(offer(peer[0], relayFrame("0")));
        assertEquals(total, socket.sentCount());
        assertEquals(String.valueOf(total - 1), socket.texts().get(total - 1));
    }

    /**
     * Senders on several threads and a client that answers pings on another: every frame is
     * written exactly once, never two writes at a time, each sender's frames in its order, and
     * never more unconfirmed than the window.
     */
    @Test
    void writesFromManyThreadsNeverOverlapAndKeepEachSendersOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                AtomicInteger unconfirmedPastWindow = new AtomicInteger();
                Peer[] peer = new Peer[1];
                RecordingSocket socket = new RecordingSocket() {
                    @Override
                    public void send(String frame) {
                        if (peer[0].outbox().unconfirmedBytes() > SMALL_WINDOW) {
                            unconfirmedPastWindow.incrementAndGet();
                        }
                        super.send(frame);
                    }
                };
                peer[0] = peer(socket, 1L << 30, SMALL_WINDOW);
                int senders = 3;
                int each = 1500;
                AtomicBoolean done = new AtomicBoolean();
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < senders; t++) {
                    int sender = t;
                    running.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            assertTrue(offer(peer[0], relayFrame(sender + ":" + i + ":" + "p".repeat(i % 300))));
                        }
                        return null;
                    }));
                }
                Future<?> client = pool.submit(() -> {
                    while (!done.get()) {
                        socket.pong(peer[0]);
                        Thread.onSpinWait();
                    }
                    return null;
                });
                for (Future<?> f : running) {
                    f.get(20, TimeUnit.SECONDS);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (socket.sentCount() < senders * each && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                done.set(true);
                client.get(5, TimeUnit.SECONDS);
                List<String> sent = socket.texts();
                assertEquals(senders * each, sent.size(), "round " + round);
                int[] next = new int[senders];
                for (String text : sent) {
                    String[] f = text.split(":");
                    int sender = Integer.parseInt(f[0]);
                    assertEquals(next[sender]++, Integer.parseInt(f[1]), "round " + round + ": in each sender's order");
                }
                assertEquals(1, socket.maxInFlight.get(), "round " + round + ": never two writes at a time");
                assertEquals(0, unconfirmedPastWindow.get(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPingRequestedDuringAWriteGoesRightAfterItBeforeTheQueuedFrames() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        BlockingSocket socket = new BlockingSocket() {
            @Override
            public void send(String frame) {
                super.send(frame);
                order.add(frame);
            }

            @Override
            public void ping(long data) {
                super.ping(data);
                order.add("ping");
            }
        };
        Peer peer = peer(socket, 1 << 20);
        socket.hold = new CountDownLatch(1);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> first = writer.submit(() -> offer(peer, relayFrame("a")));
            assertTrue(socket.entered.await(5, TimeUnit.SECONDS));
            assertTrue(offer(peer, relayFrame("b")), "queued behind the write");
            peer.ping(System.nanoTime());
            assertEquals(List.of(), order, "nothing during a write");
            socket.release();
            first.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("a", "ping", "b"), order);
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void aLivenessPingWaitsWhileTheWindowsPingIsUnanswered() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        stall(peer);
        assertEquals(1, socket.pings.size());
        peer.ping(System.nanoTime());
        assertEquals(1, socket.pings.size(), "one ping outstanding at most: two pongs back to back are not for Liberty");
        assertTrue(socket.pong(peer));
        peer.ping(System.nanoTime());
        assertEquals(2, socket.pings.size());
    }

    @Test
    void aQueueThatDoesNotMoveCountsAsStalledUntilThePong() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        long now = System.nanoTime();
        assertEquals(0, peer.outbox().stalledFor(now));
        stall(peer);
        offer(peer, relayFrame("waits"));
        long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        assertTrue(peer.outbox().stalledFor(later) > TimeUnit.SECONDS.toNanos(5), "what the watchdog closes with 4001");
        assertTrue(socket.pong(peer));
        assertTrue(peer.outbox().stalledFor(System.nanoTime()) < TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aPeerWhosePingIsNotAnsweredIsNotIdleForTheShutdown() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20);
        offer(peer, relayFrame("a"));
        assertTrue(peer.isIdle());
        peer.ping(System.nanoTime());
        assertFalse(peer.isIdle(), "the close frame would cross the pong");
        assertTrue(socket.pong(peer));
        assertTrue(peer.isIdle());
    }

    @Test
    void aPingNotAnsweredIsTimedUntilItsPong() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20);
        peer.ping(System.nanoTime());
        long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        assertTrue(peer.outbox().pingUnansweredFor(later) > TimeUnit.SECONDS.toNanos(5),
                "what the watchdog closes with 4000: a connection whose client answers nothing is dead");
        assertEquals(0, peer.outbox().stalledFor(later), "no frame waits");
        assertTrue(socket.pong(peer));
        assertEquals(0, peer.outbox().pingUnansweredFor(later));
    }

    @Test
    void aFailedWriteStopsTheQueueAndIsReported() {
        AtomicInteger writes = new AtomicInteger();
        PeerSocket failing = new RecordingSocket() {
            @Override
            public void send(String frame) {
                writes.incrementAndGet();
                throw new java.io.UncheckedIOException(new IOException("connection reset"));
            }
        };
        Peer peer = peer(failing, 1 << 20);
        offer(peer, relayFrame("a"));
        offer(peer, relayFrame("b"));
        assertEquals(1, writes.get(), "nothing more is written after a failure");
        assertTrue(peer.outbox().failedFor(System.nanoTime() + 1) > 0);
        assertTrue(peer.isIdle(), "a shutdown does not wait for it");
    }

    /**
     * A resumable peer's log of the relays sent lately is held in bytes (UTF-8, as on the wire), and
     * the node's budget for all logs counts it until the session ends; a log the node has no room
     * for keeps nothing rather than pass it (before: characters, counted nowhere, so 20 000
     * resumable peers could hold 1.25 GiB outside every budget).
     */
    @Test
    void theSentLogIsBoundedInBytesAndCountedByTheNode() {
        NodeQueueBudget node = new NodeQueueBudget(1L << 40);
        NodeQueueBudget logs = new NodeQueueBudget(4_000);
        RecordingSocket socket = new RecordingSocket();
        QueueLimits limits = new QueueLimits(1 << 20, node, nanos -> { }, NO_WINDOW_LIMIT, 3_000, WriterThreads.inline(),
                bytes -> false, logs);
        Peer peer = new Peer("p", "t", null, "req", socket, true, Credentials.NONE, limits);
        for (int i = 0; i < 3; i++) {
            assertTrue(offer(peer, relayFrame("€".repeat(1_000)))); // 1 000 characters, 3 000 bytes
        }
        assertEquals(3, socket.sentCount());
        assertEquals(3_000, logs.used(), "the log holds the last one: its 3 000 bytes, counted by the node");
        assertEquals(0, node.used(), "and the queue is empty");
        Peer other = new Peer("q", "t", null, "req", new RecordingSocket(), true, Credentials.NONE, limits);
        assertTrue(offer(other, relayFrame("€".repeat(1_000))));
        assertEquals(3_000, logs.used(), "no room left in the node's logs: the other keeps none");
        assertNotNull(peer.session().end(1000, "bye", false));
        assertEquals(0, logs.used(), "an ended session's log is given back");
    }

    /**
     * At the default window (128 KiB): 65 100 bytes unconfirmed (less than half, so no ping yet),
     * then a 65 000-byte relay that fits the window but not what is left of it: it asks for a ping
     * at once, or nothing would move until the watchdog closed a healthy client with 4001.
     */
    @Test
    void aFrameThatFitsTheWindowButNotWhatIsLeftOfItAsksForAPing() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, 128 << 10);
        assertTrue(offer(peer, relayFrame("x".repeat(65_100 - SendWindow.FRAME_OVERHEAD))));
        assertEquals(0, socket.pings.size(), "less than half the window unconfirmed: no ping yet");
        assertTrue(offer(peer, relayFrame("y".repeat(65_000))));
        assertEquals(1, peer.outbox().queuedFrames(), "it waits for room");
        assertEquals(1, socket.pings.size(), "and asked for it");
        assertTrue(socket.pong(peer));
        assertEquals(0, peer.outbox().queuedFrames(), "the pong let it go");
    }

    @Test
    void closedPeerTakesNothingAndReturnsWhatItStillHeld() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = peer(socket, 1 << 20, SMALL_WINDOW);
        stall(peer);
        int written = socket.sentCount();
        offer(peer, relayFrame("queued"));
        List<Frame> undelivered = peer.session().end(1001, "bye", false);
        assertEquals(List.of("queued"), undelivered.stream().map(Frame::text).toList(),
                "the one never written, for its sender to hear of");
        assertEquals(1001, socket.closedWith);
        assertNull(peer.session().end(1001, "bye", false), "ended already: the transition did not happen, nothing to act on");
        assertEquals(Peer.Delivery.GONE, peer.deliver(relayFrame("x"), RELAY_WAIT));
        assertTrue(peer.enqueue(frame("x")), "nothing to do, and not a slow consumer");
        assertFalse(socket.pong(peer), "a late pong opens nothing");
        assertEquals(written, socket.sentCount());
    }

    @Test
    void aPeerThatDidNotAskForResumeIsNeverHeld() {
        Peer peer = peer(new RecordingSocket(), 1 << 20);
        assertEquals(SessionState.Hold.NOT_RESUMABLE, peer.session().hold(System.nanoTime()));
        assertEquals(SessionState.State.LIVE, peer.state());
    }

    @Test
    void whileAwayRelaysAreHeldAndEventsLeftOut() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0);
        assertEquals(SessionState.Hold.HELD, peer.session().hold(System.nanoTime()));
        assertEquals(SessionState.Hold.NOT_LIVE, peer.session().hold(System.nanoTime()), "held already");
        assertTrue(offer(peer, relayFrame("r1")));
        assertTrue(peer.enqueue(frame("peer-joined")), "accepted, and replaced by the peer-list of its return");
        assertEquals(1, peer.outbox().queuedFrames());
        assertEquals(0, socket.sentCount());
    }

    @Test
    void anExpiryAndAResumeNeverBothWin() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 500; round++) {
                Peer peer = resumablePeer(new RecordingSocket(), 1 << 20, 0);
                long lost = System.nanoTime() - TimeUnit.SECONDS.toNanos(20);
                peer.session().hold(lost);
                offer(peer, relayFrame("{\"m\":\"held\"}"));
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                RecordingSocket back = new RecordingSocket();
                Future<List<Frame>> expiry = pool.submit(() -> {
                    start.await();
                    return peer.session().expire(System.nanoTime(), TimeUnit.SECONDS.toNanos(15));
                });
                Future<Boolean> resume = pool.submit(() -> {
                    start.await();
                    return peer.session().resume(back, "req2", Credentials.NONE, got -> List.of(frame("{\"m\":\"w\"}")), System.nanoTime(), -1);
                });
                List<Frame> expired = expiry.get(5, TimeUnit.SECONDS);
                boolean resumed = resume.get(5, TimeUnit.SECONDS);
                assertTrue(resumed ^ (expired != null), "round " + round + ": exactly one wins");
                if (resumed) {
                    peer.flush();
                    assertEquals(SessionState.State.LIVE, peer.state());
                    assertEquals(2, back.messages().size(), "welcome and the held relay");
                } else {
                    assertEquals(SessionState.State.CLOSED, peer.state());
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
        RecordingSocket socket = new RecordingSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0);
        peer.session().hold(System.nanoTime());
        assertTrue(offer(peer, relayFrame("r1")));
        assertTrue(peer.enqueue(frame("peer-joined")));
        assertTrue(offer(peer, relayFrame("r2")));
        List<Frame> handedOver = peer.session().startMove("n2", -1);

        assertEquals(List.of("r1", "r2"), handedOver.stream().map(Frame::text).toList(),
                "relays only, in order: the new node sends a fresh peer-list");
        assertEquals("n2", peer.session().movedTo());
        assertEquals(Peer.Delivery.QUEUED, peer.deliver(relayFrame("meanwhile"), RELAY_WAIT), "kept for the new node");
        assertEquals(List.of("meanwhile"), peer.session().finishMove().stream().map(Frame::text).toList());
        assertEquals(Peer.Delivery.MOVED, peer.deliver(relayFrame("late"), RELAY_WAIT), "the caller sends it on to n2");
        assertEquals(0, peer.outbox().queuedFrames());
        assertEquals(0, socket.sentCount());
    }

    @Test
    void aMoveOfAConnectedPeerClosesItsOldConnection() {
        RecordingSocket socket = new RecordingSocket();
        Peer peer = resumablePeer(socket, 1 << 20, 0, SMALL_WINDOW);
        stall(peer);
        int written = socket.sentCount();
        offer(peer, relayFrame("queued"));
        List<Frame> handedOver = peer.session().startMove("n2", -1);
        assertEquals(List.of("queued"), handedOver.stream().map(Frame::text).toList());
        assertEquals(1001, socket.closedWith);
        assertFalse(socket.pong(peer), "the old connection's pong opens nothing");
        assertEquals(written, socket.sentCount());
    }

    /**
     * A write on the old connection is still running when the client comes back on a new one:
     * when it returns, its thread sends nothing more there, and the new connection gets its
     * welcome first and then everything else.
     */
    @Test
    void aWriteStillRunningOnTheOldConnectionLeavesTheNewOneAlone() throws Exception {
        BlockingSocket old = new BlockingSocket();
        Peer peer = resumablePeer(old, 1 << 20, 0);
        old.hold = new CountDownLatch(1);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> running = writer.submit(() -> offer(peer, relayFrame("on-the-old-one")));
            assertTrue(old.entered.await(5, TimeUnit.SECONDS));
            assertTrue(offer(peer, relayFrame("queued")));
            RecordingSocket fresh = new RecordingSocket();
            assertTrue(peer.session().resume(fresh, "req2", Credentials.NONE, got -> List.of(frame("welcome2")), System.nanoTime(), -1));
            peer.flush();
            old.release();
            running.get(5, TimeUnit.SECONDS);
            assertTrue(offer(peer, relayFrame("later")));
            assertEquals(List.of("on-the-old-one"), old.texts());
            assertEquals(List.of("welcome2", "queued", "later"), fresh.texts());
            assertNotEquals(0, old.closedWith, "the old connection is closed");
        } finally {
            writer.shutdownNow();
        }
    }

    /**
     * Senders race a move: every relay the peer accepted is either in the hand-over, kept for the
     * new node, or was written before it; none stays behind in the abandoned queue.
     */
    @Test
    void noAcceptedRelayIsLeftBehindByAMove() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 300; round++) {
                RecordingSocket socket = new RecordingSocket();
                Peer peer = resumablePeer(socket, 1L << 30, 0, SMALL_WINDOW); // the window fills: frames wait in the queue
                java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
                List<Future<?>> running = new ArrayList<>();
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
                List<Frame> handedOver = peer.session().startMove("n2", -1);
                for (Future<?> f : running) {
                    f.get(10, TimeUnit.SECONDS);
                }
                java.util.Set<String> accounted = new java.util.HashSet<>();
                handedOver.forEach(f -> accounted.add(f.text()));
                peer.session().finishMove().forEach(f -> accounted.add(f.text()));
                accounted.addAll(socket.texts());
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
        peer.session().hold(System.nanoTime());
        assertTrue(push(peer, relay("held")));

        RecordingSocket second = new RecordingSocket();
        peer.session().resume(second, "req2", Credentials.NONE, got -> List.of(text("welcome2"), text("list2")), System.nanoTime(), 3);
        peer.flush(); // got welcome, list, r1
        assertEquals(List.of("welcome2", "list2", "r2", "r3", "held"), texts(second),
                "the relays after the third frame, then the held one; membership is in the new list");

        // the count starts again on the new connection
        assertTrue(push(peer, relay("r4")));
        peer.session().hold(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.session().resume(third, "req3", Credentials.NONE, got -> List.of(text("welcome3"), text("list3")), System.nanoTime(), 5);
        peer.flush();
        assertEquals(List.of("welcome3", "list3", "r4"), texts(third));
    }

    @Test
    void aResumeThatDoesNotSayGetsOnlyTheHeldRelaysAndTheLogIsBounded() {
        RecordingSocket first = new RecordingSocket();
        Peer peer = resumablePeer(first, 16 * 1000L, 15); // one relay of 10 chars fits, not two
        push(peer, relay("r1"));
        push(peer, relay("r2"));
        peer.session().hold(System.nanoTime());
        RecordingSocket second = new RecordingSocket();
        peer.session().resume(second, "req2", Credentials.NONE, got -> List.of(text("w"), text("l")), System.nanoTime(), -1);
        peer.flush();
        assertEquals(List.of("w", "l"), texts(second));

        push(peer, relay("r3"));
        push(peer, relay("r4"));
        push(peer, relay("r5"));
        peer.session().hold(System.nanoTime());
        RecordingSocket third = new RecordingSocket();
        peer.session().resume(third, "req3", Credentials.NONE, got -> List.of(text("w"), text("l")), System.nanoTime(), 0);
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
        peer.session().hold(System.nanoTime());
        push(peer, relay("held"));
        List<String> handedOver = peer.session().startMove("n2", 2).stream().map(Frame::text).toList();
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
                peer.session().resume(fresh, "req2", Credentials.NONE, got -> List.of(text("welcome2"), text("list2")), System.nanoTime(), -1);
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
        peer.session().hold(System.nanoTime());
        peer.outbox().forgetSentBefore(System.nanoTime()); // a held peer keeps its log
        RecordingSocket second = new RecordingSocket();
        peer.session().resume(second, "req2", Credentials.NONE, got -> List.of(text("w"), text("l")), System.nanoTime(), 1);
        peer.flush();
        assertEquals(List.of("w", "l", "recent"), texts(second));
    }
}
