package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.lanscape.signaling.topic.PeerSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link PeerSocket} over a WebSocket session. Text goes through the asynchronous remote
 * endpoint: a blocking write on Liberty can wait for good when the client resets the connection
 * while it runs (its TCP channel finds the connection closed, queues nothing and wakes no one),
 * and the thread that wrote (a relay's sender, reading nothing more from then on) would be lost
 * with it; an asynchronous write that never completes holds no thread, and the watchdog finds
 * the peer's queue stalled. Pings have no asynchronous form: they are written blocking, by the
 * outbox's ping threads.
 * <p>
 * A close never overlaps a ping: it waits for the one under way to return, and a write asked for
 * once the close began fails at once. Liberty writes the close frame through the connection's one
 * write context, and a close frame written beside another frame can leave that frame's writer
 * waiting in the TCP channel for good.
 */
final class SessionSocket implements PeerSocket {

    private static final Logger LOG = Logger.getLogger(SessionSocket.class.getName());
    /** How long a close waits for the ping under way; a ping that takes longer is not returning. */
    static final long WRITE_DRAIN_MILLIS = 5_000;

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final Executor closer;
    /** The thread whose ping is under way, or null; guarded by this. */
    private Thread pinger;
    /** Guarded by this. */
    private boolean closing;
    /** Whole text messages read from the client; written only by the connection's read thread. */
    private volatile long received;

    SessionSocket(Session session, Executor closer) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.closer = closer;
    }

    @Override
    public void send(String frame, Consumer<Throwable> done) {
        synchronized (this) {
            if (closing) {
                done.accept(new IOException("connection closing"));
                return;
            }
        }
        try {
            remote.sendText(frame, result -> done.accept(result.isOK() ? null
                    : result.getException() != null ? result.getException() : new IOException("write failed")));
        } catch (RuntimeException refused) { // another write in flight, or the session closed
            done.accept(refused);
        }
    }

    @Override
    public void ping(long data) throws IOException {
        synchronized (this) {
            if (closing) {
                throw new IOException("connection closing");
            }
            pinger = Thread.currentThread();
        }
        try {
            remote.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, data));
        } finally {
            synchronized (this) {
                pinger = null;
                notifyAll();
            }
        }
    }

    /** One more whole text message was read from the client (its read thread only). */
    void countReceived() {
        received++;
    }

    @Override
    public long received() {
        return received;
    }

    /** From now on writes fail; waits (a bounded time) for the ping under way to return. */
    private synchronized void stopWrites() {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_DRAIN_MILLIS);
        while (pinger != null && pinger != Thread.currentThread()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warning(() -> "closing session " + session.getId() + " while a ping has not returned for "
                        + WRITE_DRAIN_MILLIS + " ms");
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    @Override
    public void close(int code, String reason) {
        // Closing waits for the connection's read and write to clear: never on the caller's thread (SocketCloser).
        try {
            closer.execute(() -> closeNow(code, reason));
        } catch (RuntimeException e) { // the executor is gone: the server is stopping
            closeNow(code, reason);
        }
    }

    @Override
    public void closeNow(int code, String reason) {
        stopWrites();
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close failed for session " + session.getId(), e);
        }
    }
}
