package org.lanscape.signaling.cluster;

/** What the cluster bus reports: the metrics listen here. */
public interface ClusterObserver {

    void messageOut(String kind);

    void messageIn(String kind);

    /** A message from another node that this node's inbound budget had no room for (see InboundOverflow). */
    default void messageShed(String kind) {
    }

    void redisRoundTrip(long nanos);

    void reconnected();

    void deadNodeCleaned();

    /** A resync after a (re)connect took that long and wrote that many presence entries. */
    void resynced(long nanos, int entriesWritten);

    ClusterObserver NONE = new ClusterObserver() {
        @Override
        public void resynced(long nanos, int entriesWritten) {
        }

        @Override
        public void messageOut(String kind) {
        }

        @Override
        public void messageIn(String kind) {
        }

        @Override
        public void redisRoundTrip(long nanos) {
        }

        @Override
        public void reconnected() {
        }

        @Override
        public void deadNodeCleaned() {
        }
    };
}
