package org.lanscape.signaling.cluster;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * How this node shares its topics with other nodes. The default, {@link LocalBus}, shares
 * nothing (one node); {@code redis.RedisBus} shares through Redis Pub/Sub and presence.
 * Every method returns at once, except {@link #open}, which waits a bounded time for the topic's
 * remote members.
 */
public interface ClusterBus {

    /** Starts the bus; inbound traffic goes to the listener. */
    void start(BusListener listener);

    void stop();

    /** This node's id. */
    String nodeId();

    /**
     * This node got its first peer in the topic: subscribe to the topic's traffic and return the
     * peers other nodes have in it (empty when unreachable or when there are no other nodes).
     */
    Map<String, RemoteMember> open(String topic);

    /** This node's last peer in the topic left: stop receiving the topic's traffic. */
    void close(String topic);

    /** A local peer joined: record its presence and tell the other nodes, once per topic. */
    void joined(String topic, String peerId, jakarta.json.JsonValue metadata);

    /** A local peer left. */
    void left(String topic, String peerId);

    /**
     * Sends a relay to the node that holds the target. False when it cannot be sent now (the bus
     * is down); a later failure comes back through {@link BusListener#undeliverable} on the
     * sender's node: {@code senderNode}, or this node when null.
     */
    boolean forward(RemoteMember target, String topic, String fromPeerId, String frame,
                    org.lanscape.signaling.protocol.RawJson msgId, String senderNode);

    /** Tells the node of a sender that its relay could not be delivered after all. */
    void undeliverable(String senderNode, String fromPeerId, String code, org.lanscape.signaling.protocol.RawJson msgId);

    /**
     * Asks the node that issued a resume token for its session (the client came back to this
     * node, saying it received {@code received} frames on its lost connection, or -1, authenticated
     * as {@code subject}, or null). When the owner hands it over, {@code adopt} installs it here, on the thread that
     * delivers the topic's traffic, before any relay that follows the hand-over; false from it
     * means the session could not be taken (it then leaves the topic). The result completes within
     * the Redis timeout: {@code EXPIRED} also when the owner is gone or does not answer in time.
     */
    CompletableFuture<HandOver.Result> claim(String owner, String token, long received, String topic, String subject,
                                             Predicate<HandOver> adopt);

    /** The longest a claim may take, after which the claimant gives up on its own (the bus answers sooner). */
    default java.time.Duration claimTimeout() {
        return java.time.Duration.ofSeconds(5);
    }

    /**
     * True when another node can take this node's sessions over now (a shutdown hands the resumable
     * ones over instead of ending them): a cluster bus that works. One node: false.
     */
    default boolean canHandOver() {
        return false;
    }

    /** Leaves a session in the cluster for {@code ttl} (the node stops and nobody claimed it yet); false if not taken. */
    default boolean park(String topic, String token, ParkedSession session, java.time.Duration ttl) {
        return false;
    }

    /** The session a stopped node parked under that token, or null; it stays parked. */
    default ParkedSession parked(String topic, String token) {
        return null;
    }

    /** Takes a parked session; false when another connection took it first, or it ended. */
    default boolean unpark(String topic, String token, String peerId) {
        return false;
    }

    /** A parked session now runs on this node: presence and the other nodes are told. */
    default void adopted(String topic, String peerId, jakarta.json.JsonValue metadata) {
    }

    /**
     * Whether this node knows every member of the topic on other nodes now (not while Redis is
     * away, nor while the topic waits for its resync): a relay to a peer it does not know is then
     * answered {@code target_not_found}, else {@code dropped} (it may exist). One node: always.
     */
    default boolean viewComplete(String topic) {
        return true;
    }

    /**
     * A resumable session of this node holds {@code token} now (its earlier one, if any, is used
     * up): kept in the cluster so that the session can be resumed elsewhere if this node dies.
     */
    default void standby(String topic, String peerId, String token, jakarta.json.JsonValue metadata, String subject,
                         java.time.Duration grace) {
    }

    /** The token was used, or its session ended. */
    default void standbyEnded(String peerId, String token) {
    }

    /**
     * Takes a place for a joining peer among the topic's members on every node, in one step:
     * refused when {@code maxPeers} are there already (a place given back by {@link #left}).
     */
    default Claim claimPlace(String topic, String peerId, jakarta.json.JsonValue metadata, int maxPeers) {
        return Claim.UNCHECKED;
    }

    /** Counts a connection of {@code subject} across the cluster: refused when it has {@code max} already. */
    default Claim claimConnection(String subject, String connectionId, int max) {
        return Claim.UNCHECKED;
    }

    default void releaseConnection(String subject, String connectionId) {
    }

    /** The subject's connections on every node, or -1 when nobody can tell. */
    default int connections(String subject) {
        return -1;
    }

    /** True while the bus works. One node is always healthy. */
    boolean healthy();

    /** What /debug/stats shows about the cluster. */
    Map<String, Object> describe();
}
