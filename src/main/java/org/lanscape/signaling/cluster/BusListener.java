package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.util.Map;

/** What the bus delivers to this node; the topic registry implements it. */
public interface BusListener {

    void remoteJoined(String topic, RemoteMember member);

    void remoteLeft(String topic, String peerId);

    /**
     * A relay for a local peer, from peer {@code fromPeerId} of node {@code senderNode} (who is told
     * if it cannot be delivered after all); NOT_FOUND when it is not here, DROPPED when its queue
     * stayed full.
     */
    RelayOutcome deliver(String topic, String toPeerId, String frame, String fromPeerId, RawJson msgId, String senderNode);

    /** The node a peer of this node moved to lately (its session resumed there), or null. */
    String nodeOf(String topic, String peerId);

    /**
     * Another node claims the session of one of our peers (its client came back there with the
     * resume token, authenticated as {@code subject} (null without auth), and the number of frames
     * it received on its lost connection, or -1): give
     * it up, or say why not. {@code send} gets the session with the relays
     * held for it, called while nothing else can reach the peer here, so that it goes out before
     * any relay this node sends on afterwards. From then on the peer is a remote member on
     * {@code toNode} here.
     */
    HandOver.Result handOver(String token, long received, String topic, String subject, String toNode,
                             java.util.function.Consumer<HandOver> send);

    /** A remote peer's session moved to another node (a resume there). */
    void remoteMoved(String topic, String peerId, String toNode);

    /** A relay this node forwarded could not be delivered: tell the sender. */
    void undeliverable(String fromPeerId, String code, RawJson msgId);

    /**
     * A resync of the topic's remote view is about to read Redis (on the topic's worker, in order
     * with its live events): events from now on are newer than what the read will say.
     */
    void resyncAsked(String topic);

    /**
     * After a reconnect: the topic's remote members as Redis had them when the resync was asked
     * for (on the topic's worker). Members Redis lacks leave only if their node is {@code settled}
     * (registered since Redis last lost data); only real changes are announced.
     */
    void resync(String topic, Map<String, RemoteMember> members, java.util.function.Predicate<String> settled);

    /** A node registered its peers again and says which are in the topic: its members here become those. */
    void nodeSync(String topic, String node, Map<String, RemoteMember> members);

    /** A node is gone without leaving (dead, its presence reaped): its members leave every topic here. */
    void nodeGone(String node);

    /** Local peers of a topic, for re-registering presence after Redis lost it: id to metadata. */
    Map<String, JsonValue> localMembers(String topic);

    /**
     * Runs {@code action} with the topic's local members while none can join or leave it, so that
     * what it writes to Redis comes before what their joins and leaves write; nothing if the topic
     * has no local peer.
     */
    void withLocalMembers(String topic, java.util.function.Consumer<Map<String, JsonValue>> action);

    /** Topics with local peers. */
    Iterable<String> localTopics();

    enum RelayOutcome { DELIVERED, DROPPED, NOT_FOUND }
}
