package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text goes through the asynchronous remote and completes through its handler; a close never
 * overlaps a ping (the one blocking write), and nothing is written once the close began. The
 * session and its remote are stand-ins: the overlap is a race that a real server shows once in
 * many runs.
 */
class SessionSocketTest {

    /** A session whose async remote records the texts and their handlers, runs {@code onPing} for a ping, and records its close. */
    private static final class FakeSession {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<SendHandler> handlers = new CopyOnWriteArrayList<>();
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        volatile Runnable onPing = () -> { };
        volatile int pings;

        Session session() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText")) {
                            texts.add((String) args[0]);
                            handlers.add((SendHandler) args[1]);
                        } else if (method.getName().equals("sendPing")) {
                            pings++;
                            onPing.run();
                        }
                        return null;
                    });
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
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
    void aTextCompletesThroughTheRemotesHandlerWithItsOutcome() {
        FakeSession fake = new FakeSession();
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        AtomicReference<Throwable> first = new AtomicReference<>(new AssertionError("not completed"));
        AtomicReference<Throwable> second = new AtomicReference<>();
        socket.send("{\"type\":\"offer\"}", first::set);
        assertEquals(List.of("{\"type\":\"offer\"}"), fake.texts);
        assertInstanceOf(AssertionError.class, first.get(), "send returns before the write completed");
        fake.handlers.get(0).onResult(new SendResult());
        assertNull(first.get(), "written");

        IOException reset = new IOException("connection reset");
        socket.send("{}", second::set);
        fake.handlers.get(1).onResult(new SendResult(reset));
        assertSame(reset, second.get(), "the failure reaches the outbox");
    }

    @Test
    void aCloseWaitsForThePingUnderWay() throws Exception {
        FakeSession fake = new FakeSession();
        CountDownLatch inPing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fake.onPing = () -> {
            inPing.countDown();
            await(release);
        };
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        CompletableFuture<Void> ping = CompletableFuture.runAsync(() -> {
            try {
                socket.ping(7);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(inPing.await(10, TimeUnit.SECONDS));

        AtomicReference<Thread> closer = new AtomicReference<>();
        CompletableFuture<Void> close = CompletableFuture.runAsync(() -> {
            closer.set(Thread.currentThread());
            socket.closeNow(1008, "slow consumer");
        });
        awaitWaiting(closer);
        assertFalse(fake.closed.isDone(), "the close waits while the ping has not returned");

        release.countDown();
        ping.get(10, TimeUnit.SECONDS);
        close.get(10, TimeUnit.SECONDS);
        assertEquals(1008, fake.closed.get().getCloseCode().getCode());
    }

    @Test
    void aWriteAskedForOnceTheCloseBeganFailsWithoutReachingTheConnection() {
        FakeSession fake = new FakeSession();
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        socket.close(1001, "going away");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        socket.send("{}", outcome::set);
        assertInstanceOf(IOException.class, outcome.get());
        assertThrows(IOException.class, () -> socket.ping(7));
        assertEquals(List.of(), fake.texts);
        assertEquals(0, fake.pings);
        assertTrue(fake.closed.isDone());
    }

    @Test
    void aCloseFromThePingingThreadItselfDoesNotWaitForItsOwnPing() throws Exception {
        FakeSession fake = new FakeSession();
        SessionSocket socket = new SessionSocket(fake.session(), Runnable::run);
        fake.onPing = () -> socket.closeNow(1011, "ping failed"); // as a container calling back into us from its write
        CompletableFuture<Void> ping = CompletableFuture.runAsync(() -> {
            try {
                socket.ping(7);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        ping.get(SessionSocket.WRITE_DRAIN_MILLIS / 2, TimeUnit.MILLISECONDS);
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
