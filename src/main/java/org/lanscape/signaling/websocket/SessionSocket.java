package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.lanscape.signaling.topic.PeerSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link PeerSocket} over a WebSocket session's async remote endpoint. */
final class SessionSocket implements PeerSocket {

    private static final Logger LOG = Logger.getLogger(SessionSocket.class.getName());
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    private final Session session;
    private final Executor closer;

    SessionSocket(Session session, Executor closer) {
        this.session = session;
        this.closer = closer;
    }

    @Override
    public void send(String frame, SendCallback done) {
        try {
            session.getAsyncRemote().sendText(frame, result -> done.completed(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) {
            done.completed(e);
        }
    }

    @Override
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(NO_DATA.duplicate());
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close failed for session " + session.getId(), e);
        }
    }
}
