package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.lanscape.signaling.delivery.PeerSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link PeerSocket} over a WebSocket session's basic (blocking) remote endpoint, written on
 * one of the outbox's writer threads: the peer's send window keeps each write within the socket's
 * buffer, so it returns as soon as the bytes are copied. (The design card's asynchronous send costs
 * a hand-off to the container's write selector and another back for its completion: 2.54 x the
 * bare relay's CPU per message on Liberty against 1.27; and on a connection that closes meanwhile
 * Liberty loses it, after which the close waits for it for good: README.md, "Design".)
 * <p>
 * A close never overlaps a write: it waits for the write under way to return, and a write asked
 * for once the close began fails at once. Liberty writes the close frame through the connection's
 * one write context; its close waits for a write under way only until anything notifies the
 * connection (a read cancelled by the close does), and a close frame written beside a data frame
 * can leave the data frame's thread waiting in the TCP channel for good.
 */
final class SessionSocket implements PeerSocket {

    private static final Logger LOG = Logger.getLogger(SessionSocket.class.getName());
    /** How long a close waits for the write under way; a write that takes longer is not returning. */
    static final long WRITE_DRAIN_MILLIS = 5_000;

    private final Session session;
    private final RemoteEndpoint.Basic remote;
    private final Executor closer;
    /** The thread whose write is under way, or null; guarded by this. */
    private Thread writer;
    /** Guarded by this. */
    private boolean closing;
    /** One close per connection goes to the closer, so its queue never holds more than the open connections. */
    private final AtomicBoolean closeAsked = new AtomicBoolean();
    /** Whole text messages read from the client; written only by the connection's read thread. */
    private volatile long received;

    SessionSocket(Session session, Executor closer) {
        this.session = session;
        this.remote = session.getBasicRemote();
        this.closer = closer;
    }

    @Override
    public void send(String frame) throws IOException {
        beginWrite();
        try {
            remote.sendText(frame);
        } finally {
            endWrite();
        }
    }

    @Override
    public void sendPart(String part, boolean last) throws IOException {
        beginWrite();
        try {
            remote.sendText(part, last);
        } finally {
            endWrite();
        }
    }

    @Override
    public void ping(long data) throws IOException {
        beginWrite();
        try {
            remote.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, data));
        } finally {
            endWrite();
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

    private synchronized void beginWrite() throws IOException {
        if (closing) {
            throw new IOException("connection closing");
        }
        writer = Thread.currentThread();
    }

    private synchronized void endWrite() {
        writer = null;
        notifyAll();
    }

    /** From now on writes fail; waits (a bounded time) for the one under way to return. */
    private synchronized void stopWrites() {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_DRAIN_MILLIS);
        while (writer != null && writer != Thread.currentThread()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warning(() -> "closing session " + session.getId() + " while a write has not returned for "
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
        if (!closeAsked.compareAndSet(false, true)) {
            return; // the first close's code and reason stand
        }
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
