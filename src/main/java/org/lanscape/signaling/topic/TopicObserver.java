package org.lanscape.signaling.topic;

import org.lanscape.signaling.delivery.RelayResult;
import org.lanscape.signaling.session.Peer;

/** What the registry reports as it works: the metrics listen here. */
public interface TopicObserver {

    void joined(Peer peer);

    void left(Peer peer);

    void relayed(String type, RelayResult result);

    /** A peer had no room for an event it had to get: it was disconnected (or held for a resume). */
    void slowConsumer();

    /** A relayed message reached its target's socket, that long after it was received. */
    void handedOff(long nanosSinceReceipt);

    /** Membership changes told to local peers by a resync, a node's sync or a dead node's purge. */
    default void viewChanges(int announced) {
    }

    /**
     * The observer itself: called through a CDI client proxy, the instance behind it, which the
     * per-message path then calls without the proxy's lookup on every call. (A method that returns
     * {@code this} would get the proxy back: Weld keeps "this" meaning the proxy.)
     */
    default java.util.function.Supplier<TopicObserver> target() {
        TopicObserver self = this;
        return () -> self;
    }

    /**
     * A relay accepted earlier could not be delivered after all (its target's session expired, the
     * target was disconnected, another node refused it): its sender gets this error code.
     */
    default void undeliverable(String code) {
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
        public void slowConsumer() {
        }

        @Override
        public void handedOff(long nanosSinceReceipt) {
        }
    };
}
