package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.lanscape.signaling.topic.PeerSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link PeerSocket} over a WebSocket session's basic (blocking) remote endpoint, written on
 * the caller's thread: the peer's send window keeps each write within the socket's buffer, so it
 * returns as soon as the bytes are copied. (An asynchronous send costs a hand-off to the
 * container's write selector and another back for its completion: about 15 us of CPU per message
 * on Liberty.)
 */
final class SessionSocket implements PeerSocket {

    private static final Logger LOG = Logger.getLogger(SessionSocket.class.getName());

    private final Session session;
    private final RemoteEndpoint.Basic remote;
    private final Executor closer;

    SessionSocket(Session session, Executor closer) {
        this.session = session;
        this.remote = session.getBasicRemote();
        this.closer = closer;
    }

    @Override
    public void send(String frame) throws IOException {
        remote.sendText(frame);
    }

    @Override
    public void sendPart(String part, boolean last) throws IOException {
        remote.sendText(part, last);
    }

    @Override
    public void ping(long data) throws IOException {
        remote.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, data));
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
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close failed for session " + session.getId(), e);
        }
    }
}
