package org.lanscape.signaling.cluster;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.RawJson;

import java.util.ArrayList;
import java.util.List;

/**
 * A relay held for a session while it was away, as it travels with the session to another node
 * or into Redis: the encoded frame, and who sent it (peer, msgId, the sender's node), so that the
 * sender can be told {@code dropped} wherever it turns out undeliverable. The sender is null when
 * not known (a node of an earlier release sent the frame alone).
 */
public record HeldRelay(String frame, String from, RawJson msgId, String senderNode) {

    /**
     * Adds them to a hand-over or a parked session: {@code frames}, the frames as before, and beside
     * them {@code senders}, which a node of an earlier release ignores (so that nodes of two releases
     * hand sessions to each other during a rolling upgrade).
     */
    public static JsonObjectBuilder write(JsonObjectBuilder target, List<HeldRelay> relays) {
        JsonArrayBuilder frames = Json.createArrayBuilder();
        JsonArrayBuilder senders = Json.createArrayBuilder();
        for (HeldRelay relay : relays) {
            frames.add(relay.frame);
            senders.add(relay.sender());
        }
        return target.add("frames", frames).add("senders", senders);
    }

    /** Reads {@link #write}'s fields; without {@code senders} (an earlier release), the senders are not known. */
    public static List<HeldRelay> read(JsonObject source) {
        JsonArray frames = source.getJsonArray("frames");
        return read(frames, source.containsKey("senders") ? source.getJsonArray("senders") : null, frames.size());
    }

    /** Only who sent them (no frames), for telling the senders later; {@link #sendersOf} reads it. */
    public static JsonArray senders(List<HeldRelay> relays) {
        JsonArrayBuilder senders = Json.createArrayBuilder();
        relays.stream().filter(relay -> relay.from != null).forEach(relay -> senders.add(relay.sender()));
        return senders.build();
    }

    /** Reads {@link #senders}: relays without their frames. */
    public static List<HeldRelay> sendersOf(JsonArray senders) {
        return read(null, senders, senders.size());
    }

    private static List<HeldRelay> read(JsonArray frames, JsonArray senders, int count) {
        List<HeldRelay> relays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            JsonValue sender = senders != null && i < senders.size() ? senders.get(i) : JsonValue.NULL;
            String frame = frames == null ? null : frames.getString(i);
            if (sender.getValueType() != JsonValue.ValueType.OBJECT) {
                relays.add(new HeldRelay(frame, null, null, null));
                continue;
            }
            JsonObject o = sender.asJsonObject();
            String msgId = o.getString("msgId", null);
            relays.add(new HeldRelay(frame, o.getString("from", null), msgId == null ? null : RawJson.of(msgId),
                    o.getString("node", null)));
        }
        return relays;
    }

    private JsonValue sender() {
        if (from == null) {
            return JsonValue.NULL;
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add("from", from);
        if (msgId != null) {
            b.add("msgId", msgId.text());
        }
        if (senderNode != null) {
            b.add("node", senderNode);
        }
        return b.build();
    }
}
