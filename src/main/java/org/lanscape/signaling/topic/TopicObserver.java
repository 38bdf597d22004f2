package org.lanscape.signaling.topic;

/** What the registry reports as it works: the metrics listen here. */
public interface TopicObserver {

    void joined(Peer peer);

    void left(Peer peer);

    void relayed(String type, RelayResult result);

    /** A best-effort broadcast (peer-joined, peer-left) skipped that many full queues. */
    void broadcastSkipped(int recipients);

    /** A relayed message reached its target's socket, that long after it was received. */
    void handedOff(long nanosSinceReceipt);

    /** A relay forwarded to another node failed there; the sender gets this error code. */
    default void remoteUndeliverable(String code) {
    }

    TopicObserver NONE = new TopicObserver() {
        @Override
        public void joined(Peer peer) {
        }

        @Override
        public void left(Peer peer) {
        }

        @Override
        public void relayed(String type, RelayResult result) {
        }

        @Override
        public void broadcastSkipped(int recipients) {
        }

        @Override
        public void handedOff(long nanosSinceReceipt) {
        }
    };
}
