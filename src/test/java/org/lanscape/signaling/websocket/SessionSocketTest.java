package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A close never overlaps a write on the same connection (Liberty writes the close frame through
 * the connection's one write context). The session and its remote are stand-ins: the overlap is
 * a race that a real server shows once in many runs.
 */
class SessionSocketTest {

    /** A session whose basic remote runs {@code onSend} for every text written, and which records its close. */
    private static final class FakeSession {
        final AtomicInteger sends = new AtomicInteger();
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        volatile Runnable onSend = () -> { };

        Session session() {
            RemoteEndpoint.Basic remote = (RemoteEndpoint.Basic) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Basic.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("send")) {
                            sends.incrementAndGet();
                            onSend.run();
                        }
                        return null;
                    });
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getBasicRemote" -> remote;
                        case "isOpen" -> !closed.isDone();
                        case "getId" -> "s1";
                        case "close" -> {
                            closed.complete(args == null ? null : (CloseReason) args[0]);
                            yield null;
                        }
                        default -> null;
                    });
        }
    }

    @Test
    void aCloseWaitsForTheWriteUnderWay() throws Exception {
        FakeSession fake = new FakeSession();
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fake.onSend = () -> {
            inWrite.countDown();
            await(release);
        };
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                socket.send("{\"type\":\"offer\"}");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(inWrite.await(10, TimeUnit.SECONDS));

        AtomicReference<Thread> closer = new AtomicReference<>();
        CompletableFuture<Void> close = CompletableFuture.runAsync(() -> {
            closer.set(Thread.currentThread());
            socket.closeNow(1008, "slow consumer");
        });
        awaitWaiting(closer);
        assertFalse(fake.closed.isDone(), "the close waits while the write has not returned");

        release.countDown();
        write.get(10, TimeUnit.SECONDS);
        close.get(10, TimeUnit.SECONDS);
        assertEquals(1008, fake.closed.get().getCloseCode().getCode());
    }

    @Test
    void aWriteAskedForOnceTheCloseBeganFailsWithoutReachingTheConnection() {
        FakeSession fake = new FakeSession();
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        socket.close(1001, "going away");
        assertThrows(IOException.class, () -> socket.send("{}"));
        assertThrows(IOException.class, () -> socket.sendPart("{", false));
        assertThrows(IOException.class, () -> socket.ping(7));
        assertEquals(0, fake.sends.get());
        assertTrue(fake.closed.isDone());
    }

    @Test
    void aCloseFromTheWritingThreadItselfDoesNotWaitForItsOwnWrite() throws Exception {
        FakeSession fake = new FakeSession();
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        fake.onSend = () -> socket.closeNow(1011, "send failed"); // as a container calling back into us from its write
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                socket.send("{}");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        write.get(SessionSocket.WRITE_DRAIN_MILLIS / 2, TimeUnit.MILLISECONDS);
        assertTrue(fake.closed.isDone());
    }

    /** Until the closing thread waits on the socket (no event tells when a thread starts waiting). */
    private static void awaitWaiting(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread t = thread.get();
            if (t != null && t.getState() == Thread.State.TIMED_WAITING) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the close never waited");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
