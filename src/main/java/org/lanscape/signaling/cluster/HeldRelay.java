package org.lanscape.signaling.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

/**
 * A relay held for a session while it was away, as it travels with the session to another node
 * or into Redis: the encoded frame, and who sent it (peer, msgId, the sender's node), so that the
 * sender can be told {@code dropped} wherever it turns out undeliverable. The sender is null when
 * not known (a node of an earlier release sent the frame alone).
 */
public record HeldRelay(String frame, String from, RawJson msgId, String senderNode) {

    /** As carried in a hand-over or a parked session: an object, or the frame alone when its sender is not known. */
    public JsonValue toJson() {
        if (from == null) {
            return Json.createValue(frame);
        }
        var b = Json.createObjectBuilder().add("frame", frame).add("from", from);
        if (msgId != null) {
            b.add("msgId", msgId.text());
        }
        if (senderNode != null) {
            b.add("node", senderNode);
        }
        return b.build();
    }

    /** Reads {@link #toJson}'s form, or a bare frame (from a node of an earlier release). */
    public static HeldRelay fromJson(JsonValue value) {
        if (value.getValueType() == JsonValue.ValueType.STRING) {
            return new HeldRelay(((jakarta.json.JsonString) value).getString(), null, null, null);
        }
        JsonObject o = value.asJsonObject();
        String msgId = o.getString("msgId", null);
        return new HeldRelay(o.getString("frame"), o.getString("from", null), msgId == null ? null : RawJson.of(msgId),
                o.getString("node", null));
    }
}
