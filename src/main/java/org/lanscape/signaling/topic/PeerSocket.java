package org.lanscape.signaling.topic;

/** The outbound side of one peer's connection, as the {@link Peer} drives it. */
public interface PeerSocket {

    /** Starts sending one text frame; {@code done} is called once, when it completed or failed. */
    void send(String frame, SendCallback done);

    /** Sends a ping; only called while no text frame is in flight. */
    void ping();

    /** Closes the connection with that close code; must not block the caller. */
    void close(int code, String reason);

    /** Closes the connection with that close code on the caller's thread (shutdown only). */
    default void closeNow(int code, String reason) {
        close(code, reason);
    }

    @FunctionalInterface
    interface SendCallback {
        /** @param failure null when the frame was handed to the network */
        void completed(Throwable failure);
    }
}
