package org.lanscape.signaling.delivery;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.session.Credentials;
import org.lanscape.signaling.session.Peer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes run on the writer threads, never on the thread that had the frame; and a write that
 * never returns (Liberty's blocking write to a client that vanished during it) holds one writer
 * thread, which the pool replaces: the other peers' writes go on.
 */
class WriterThreadsTest {

    private static Peer peer(PeerSocket socket, WriterThreads writers) {
        return new Peer("p-" + System.nanoTime(), "t", null, "req", socket, false, Credentials.NONE,
                new QueueLimits(1 << 20, new NodeQueueBudget(1L << 40), nanos -> { }, 1L << 30, 0, writers));
    }

    @Test
    void aRelaysSenderNeverWritesItself() throws Exception {
        WriterThreads writers = new WriterThreads(2);
        try {
            CompletableFuture<Thread> writer = new CompletableFuture<>();
            Peer target = peer(new RecordingSocket() {
                @Override
                public void send(String frame) {
                    writer.complete(Thread.currentThread());
                    super.send(frame);
                }
            }, writers);
            assertEquals(Peer.Delivery.QUEUED, target.deliver(Frame.relay("{\"type\":\"offer\"}", 0, "s", null, null), 0));
            Thread thread = writer.get(10, TimeUnit.SECONDS);
            assertNotEquals(Thread.currentThread(), thread);
            assertTrue(thread.getName().startsWith("signaling-writer"), thread.getName());
        } finally {
            writers.stop();
        }
    }

    @Test
    void aWriteThatNeverReturnsHoldsOneThreadAndThePoolReplacesIt() throws Exception {
        WriterThreads writers = new WriterThreads(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch inWrite = new CountDownLatch(1);
        try {
            Peer vanished = peer(new RecordingSocket() {
                @Override
                public void send(String frame) {
                    inWrite.countDown();
                    try {
                        never.await(); // as Liberty's write to a connection that closed under it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, writers);
            vanished.deliver(Frame.relay("{\"to\":\"vanished\"}", 0, "s", null, null), 0);
            assertTrue(inWrite.await(10, TimeUnit.SECONDS));

            CountDownLatch written = new CountDownLatch(1);
            RecordingSocket live = new RecordingSocket() {
                @Override
                public void send(String frame) {
                    super.send(frame);
                    written.countDown();
                }
            };
            Peer other = peer(live, writers);
            other.deliver(Frame.relay("{\"to\":\"live\"}", 0, "s", null, null), 0);
            assertEquals(0, writers.sweep(System.nanoTime()), "a write under way for less than the limit is not held");
            assertEquals(0, live.sentCount(), "the pool's one thread is in the write that does not return");

            assertEquals(1, writers.sweep(System.nanoTime() + WriterThreads.HELD_AFTER_NANOS + 1));
            assertEquals(1, writers.held());
            assertTrue(written.await(10, TimeUnit.SECONDS), "the other peer's write went out on the replacement");
            assertFalse(vanished.isIdle(), "the held one stays stuck: the watchdog finds its queue stalled");
        } finally {
            never.countDown();
            writers.stop();
        }
    }
}
