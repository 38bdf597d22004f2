package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.util.Map;

/** What the bus delivers to this node; the topic registry implements it. */
public interface BusListener {

    void remoteJoined(String topic, RemoteMember member);

    void remoteLeft(String topic, String peerId);

    /** A relay for a local peer; false when it is not here or its queue stayed full. */
    RelayOutcome deliver(String topic, String toPeerId, String frame);

    /** A relay this node forwarded could not be delivered: tell the sender. */
    void undeliverable(String fromPeerId, String code, RawJson msgId);

    /** After a reconnect: the topic's remote members as Redis has them now. */
    void resync(String topic, Map<String, RemoteMember> members);

    /** Local peers of a topic, for re-registering presence after Redis lost it: id to metadata. */
    Map<String, JsonValue> localMembers(String topic);

    /** Topics with local peers. */
    Iterable<String> localTopics();

    enum RelayOutcome { DELIVERED, DROPPED, NOT_FOUND }
}
