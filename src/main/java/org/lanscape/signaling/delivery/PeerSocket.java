package org.lanscape.signaling.delivery;

import java.io.IOException;

/**
 * The outbound side of one peer's connection, as its {@link Outbox} drives it: one write at a
 * time, each returning once the socket took it, on one of the outbox's writer threads. The
 * outbox's window keeps each write within what the socket can take without waiting.
 */
public interface PeerSocket {

    /** Writes one whole text message. */
    void send(String frame) throws IOException;

    /** Writes one part of a text message, which ends with the part whose {@code last} is true. */
    void sendPart(String part, boolean last) throws IOException;

    /** Writes a ping whose data is those 8 bytes (big-endian); the client's pong carries them back. */
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
