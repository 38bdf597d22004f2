package org.lanscape.signaling.cluster;

/** What the cluster bus reports: the metrics listen here. */
public interface ClusterObserver {

    void messageOut(String kind);

    void messageIn(String kind);

    void redisRoundTrip(long nanos);

    void reconnected();

    void deadNodeCleaned();

    ClusterObserver NONE = new ClusterObserver() {
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
