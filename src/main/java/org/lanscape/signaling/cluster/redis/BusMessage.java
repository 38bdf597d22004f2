package org.lanscape.signaling.cluster.redis;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.io.StringReader;
import java.util.Map;

/**
 * The messages nodes exchange, as JSON:
 * <pre>
 * {"k":"join","node":N,"topic":T,"peer":P,"metadata":{..}}      on the topic's channel
 * {"k":"leave","node":N,"topic":T,"peer":P}                      on the topic's channel
 * {"k":"relay","node":N,"topic":T,"from":F,"to":P,"frame":"..","msgId":".."}   to the target's node
 * {"k":"undeliverable","node":N,"to":F,"code":"dropped","msgId":".."}         back to the sender's node
 * {"k":"claim","node":N,"id":C,"topic":T,"token":"..","received":n,"subject":S}   to the node that issued the resume token
 * {"k":"handover","node":N,"id":C,"topic":T,"peer":P,"metadata":{..},"frames":[".."],"senders":[{"from":F,"msgId":"..","node":N}|null],"got":n}   back to the claimant
 * {"k":"refused","node":N,"id":C,"topic":T,"result":"expired"}  back to the claimant
 * {"k":"move","node":N,"topic":T,"peer":P,"to":M}               on the topic's channel
 * {"k":"sync","node":N,"topic":T,"peers":{P:{metadata}|null}}    on the topic's channel: N's members there, all of them
 * </pre>
 * A relay that reaches a node its target has just moved away from is sent on once, with
 * {@code "hop":1} and the original sender's node, so that a failure still goes back to the sender.
 * A relay carries the frame already encoded for the target, so it is encoded once in the cluster;
 * a msgId travels as the text of its raw JSON.
 */
final class BusMessage {

    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String RELAY = "relay";
    static final String UNDELIVERABLE = "undeliverable";
    static final String CLAIM = "claim";
    static final String HANDOVER = "handover";
    static final String REFUSED = "refused";
    static final String MOVE = "move";
    static final String SYNC = "sync";

    private BusMessage() {
    }

    static String join(String node, String topic, String peer, JsonValue metadata) {
        JsonObjectBuilder b = base(JOIN, node).add("topic", topic).add("peer", peer);
        if (metadata != null) {
            b.add("metadata", metadata);
        }
        return b.build().toString();
    }

    static String leave(String node, String topic, String peer) {
        return base(LEAVE, node).add("topic", topic).add("peer", peer).build().toString();
    }

    /** {@code rerouted}: sent on by a node that is not the sender's (its target moved): {@code "hop":1}. */
    static String relay(String node, String topic, String from, String to, String frame, RawJson msgId, boolean rerouted) {
        JsonObjectBuilder b = base(RELAY, node).add("topic", topic).add("from", from).add("to", to).add("frame", frame);
        if (msgId != null) {
            b.add("msgId", msgId.text()); // the raw JSON, as a string
        }
        if (rerouted) {
            b.add("hop", 1);
        }
        return b.build().toString();
    }

    /** The same relay, sent on to the node its target moved to. */
    static String rerouted(JsonObject relay) {
        return Json.createObjectBuilder(relay).add("hop", 1).build().toString();
    }

    static String claim(String node, String claimId, String topic, String token, long received, String subject) {
        JsonObjectBuilder b = base(CLAIM, node).add("id", claimId).add("topic", topic).add("token", token)
                .add("received", received);
        if (subject != null) {
            b.add("subject", subject);
        }
        return b.build().toString();
    }

    static String handOver(String node, String claimId, String topic, org.lanscape.signaling.cluster.HandOver handOver) {
        JsonObjectBuilder b = base(HANDOVER, node).add("id", claimId).add("topic", topic).add("peer", handOver.peerId());
        if (handOver.metadata() != null) {
            b.add("metadata", handOver.metadata());
        }
        return org.lanscape.signaling.cluster.HeldRelay.write(b, handOver.heldRelays())
                .add("got", handOver.clientMessages()).build().toString();
    }

    /** How many messages the session's node read from its client on the last connection; -1 when not said. */
    static long got(JsonObject message) {
        jakarta.json.JsonNumber got = message.getJsonNumber("got");
        return got == null ? -1 : got.longValue();
    }

    static String refused(String node, String claimId, String topic, org.lanscape.signaling.cluster.HandOver.Result why) {
        return base(REFUSED, node).add("id", claimId).add("topic", topic)
                .add("result", why.name().toLowerCase(java.util.Locale.ROOT)).build().toString();
    }

    /** All of {@code node}'s members in the topic, after it registered them again. */
    static String sync(String node, String topic, Map<String, JsonValue> members) {
        JsonObjectBuilder peers = Json.createObjectBuilder();
        members.forEach((id, metadata) -> peers.add(id, metadata == null ? JsonValue.NULL : metadata));
        return base(SYNC, node).add("topic", topic).add("peers", peers).build().toString();
    }

    /** The members a sync names, as remote members of its node. */
    static Map<String, org.lanscape.signaling.cluster.RemoteMember> syncMembers(JsonObject message) {
        String owner = message.getString("node");
        Map<String, org.lanscape.signaling.cluster.RemoteMember> members = new java.util.HashMap<>();
        for (Map.Entry<String, JsonValue> peer : message.getJsonObject("peers").entrySet()) {
            JsonValue metadata = peer.getValue().getValueType() == JsonValue.ValueType.NULL ? null : peer.getValue();
            members.put(peer.getKey(), new org.lanscape.signaling.cluster.RemoteMember(peer.getKey(), owner, metadata));
        }
        return members;
    }

    static String move(String node, String topic, String peer, String toNode) {
        return base(MOVE, node).add("topic", topic).add("peer", peer).add("to", toNode).build().toString();
    }

    static String undeliverable(String node, String to, String code, RawJson msgId) {
        JsonObjectBuilder b = base(UNDELIVERABLE, node).add("to", to).add("code", code);
        if (msgId != null) {
            b.add("msgId", msgId.text());
        }
        return b.build().toString();
    }

    /** The member value stored in the topic's members hash. */
    static String member(String node, JsonValue metadata) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("node", node);
        if (metadata != null) {
            b.add("metadata", metadata);
        }
        return b.build().toString();
    }

    static RawJson msgId(JsonObject message) {
        return message.containsKey("msgId") ? RawJson.of(message.getString("msgId")) : null;
    }

    static JsonObject parse(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObjectBuilder base(String kind, String node) {
        return Json.createObjectBuilder().add("k", kind).add("node", node);
    }
}
