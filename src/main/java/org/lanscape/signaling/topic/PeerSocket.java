package org.lanscape.signaling.topic;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The outbound side of one peer's connection, as its {@link Outbox} drives it: one write at a
 * time, the next once the previous one completed.
 */
public interface PeerSocket {

    /**
     * Starts writing one whole text message. {@code done} gets null once it was written, or the
     * failure; it may run on another thread, or on this one before this method returns. Never waits.
     */
    void send(String frame, Consumer<Throwable> done);

    /**
     * Writes a ping whose data is those 8 bytes (big-endian); the client's pong carries them back.
     * Blocking (the WebSocket API has no other way): the outbox calls it on a thread of its own.
     */
    void ping(long data) throws IOException;

    /** Closes the connection with that close code; must not block the caller. */
    void close(int code, String reason);

    /** How many whole text messages were read from the client on this connection; -1 when not counted. */
    default long received() {
        return -1;
    }

    /** Closes the connection with that close code on the caller's thread (shutdown only). */
    default void closeNow(int code, String reason) {
        close(code, reason);
    }
}
