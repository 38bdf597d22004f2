package org.lanscape.signaling.cluster.redis;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.io.StringReader;

/**
 * The messages nodes exchange, as JSON:
 * <pre>
 * {"k":"join","node":N,"topic":T,"peer":P,"metadata":{..}}      on the topic's channel
 * {"k":"leave","node":N,"topic":T,"peer":P}                      on the topic's channel
 * {"k":"relay","node":N,"topic":T,"from":F,"to":P,"frame":"..","msgId":".."}   to the target's node
 * {"k":"undeliverable","node":N,"to":F,"code":"dropped","msgId":".."}         back to the sender's node
 * </pre>
 * A relay carries the frame already encoded for the target, so it is encoded once in the cluster;
 * a msgId travels as the text of its raw JSON.
 */
final class BusMessage {

    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String RELAY = "relay";
    static final String UNDELIVERABLE = "undeliverable";

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

    static String relay(String node, String topic, String from, String to, String frame, RawJson msgId) {
        JsonObjectBuilder b = base(RELAY, node).add("topic", topic).add("from", from).add("to", to).add("frame", frame);
        if (msgId != null) {
            b.add("msgId", msgId.text()); // the raw JSON, as a string
        }
        return b.build().toString();
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
        return message.containsKey("msgId") ? new RawJson(message.getString("msgId")) : null;
    }

    static JsonObject parse(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObjectBuilder base(String kind, String node) {
        return Json.createObjectBuilder().add("k", kind).add("node", node);
    }
}
