package org.lanscape.signaling.protocol;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

import java.util.List;

/**
 * Every frame the server sends, one record per message type. Null components are left out of the
 * JSON, as the seed's {@code omitempty} does; each record's doc shows its JSON.
 */
public sealed interface ServerMessage {

    String type();

    /**
     * {@code {"type":"welcome","selfId":"01J5...","resumeToken":"...","received":12}}; the resume
     * token (not in the seed; seed clients ignore it) is there while session resume is on;
     * {@code received}, only in the welcome of a resumed session, is how many messages the server
     * read from the client on its lost connection (the client sends the rest again).
     */
    @JsonbPropertyOrder({"type", "selfId", "resumeToken", "received"})
    record Welcome(String type, String selfId, String resumeToken, Long received) implements ServerMessage {
        public Welcome(String selfId) {
            this(MessageTypes.WELCOME, selfId, null, null);
        }

        public Welcome(String selfId, String resumeToken) {
            this(MessageTypes.WELCOME, selfId, resumeToken, null);
        }

        /** A resumed session's welcome; {@code received} negative when unknown (left out). */
        public Welcome(String selfId, String resumeToken, long received) {
            this(MessageTypes.WELCOME, selfId, resumeToken, received < 0 ? null : received);
        }
    }

    /** {@code {"type":"peer-list","peers":[{"id":"01J5...","metadata":{...}}]}}; no {@code peers} when empty. */
    @JsonbPropertyOrder({"type", "peers"})
    record PeerList(String type, List<PeerRecord> peers) implements ServerMessage {
        public PeerList(List<PeerRecord> peers) {
            this(MessageTypes.PEER_LIST, peers == null || peers.isEmpty() ? null : List.copyOf(peers));
        }
    }

    /** {@code {"type":"peer-joined","peerId":"01J5...","metadata":{...}}} */
    @JsonbPropertyOrder({"type", "peerId", "metadata"})
    record PeerJoined(String type, String peerId, JsonValue metadata) implements ServerMessage {
        public PeerJoined(String peerId, JsonValue metadata) {
            this(MessageTypes.PEER_JOINED, peerId, metadata);
        }
    }

    /** {@code {"type":"peer-left","peerId":"01J5..."}} */
    @JsonbPropertyOrder({"type", "peerId"})
    record PeerLeft(String type, String peerId) implements ServerMessage {
        public PeerLeft(String peerId) {
            this(MessageTypes.PEER_LEFT, peerId);
        }
    }

    /**
     * A relayed offer, answer or ice-candidate:
     * {@code {"type":"offer","from":"01J5...","payload":{...},"msgId":"abc"}}; {@code from} is set by
     * the server, {@code payload} and {@code msgId} are the sender's, unchanged.
     */
    @JsonbPropertyOrder({"type", "from", "payload", "msgId"})
    record Relayed(String type, String from, RawJson payload, RawJson msgId) implements ServerMessage {
    }

    /** {@code {"type":"error","code":"target_not_found","message":"peer not found","msgId":"abc"}} */
    @JsonbPropertyOrder({"type", "code", "message", "msgId"})
    record Error(String type, String code, String message, RawJson msgId) implements ServerMessage {
        public Error(ErrorCode code, RawJson msgId) {
            this(MessageTypes.ERROR, code.wire(), code.message(), msgId);
        }

        public Error(ErrorCode code, String message, RawJson msgId) {
            this(MessageTypes.ERROR, code.wire(), message, msgId);
        }
    }
}
