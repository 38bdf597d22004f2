package org.lanscape.signaling.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.websocket.Decoder;

import java.io.StringReader;

/**
 * Decodes a client's text frame:
 * <pre>{"type": "offer", "to": "01J5...", "payload": {...}, "msgId": "abc"}</pre>
 * into a {@link ClientMessage}, with JSON-P's streaming parser (the layer under JSON-B), which,
 * unlike {@code Jsonb.fromJson}, lets it refuse text after the object. Anything that is not a JSON object, or whose {@code type} or
 * {@code to} is not a string, becomes a {@link MalformedMessage}. A missing {@code type} decodes to
 * "" and a missing {@code to} to null, which the endpoint answers with the seed's
 * {@code invalid_type} and {@code missing_target}. An empty msgId counts as none (the seed's
 * omitempty). Stateless: Liberty may call {@code decode} before {@code init}, on any instance.
 */
public class ClientMessageDecoder implements Decoder.Text<ClientFrame> {

    /** A msgId is echoed in errors and relayed: it is an id, not a second payload. */
    public static final int MAX_MSG_ID_LENGTH = 256;

    @Override
    public ClientFrame decode(String text) {
        JsonObject object;
        try (JsonParser parser = Json.PROVIDER.createParser(new StringReader(text))) {
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                return new MalformedMessage("message must be a JSON object", null);
            }
            object = parser.getObject();
            if (parser.hasNext()) {
                return new MalformedMessage("message is not valid JSON: text after the object", null);
            }
        } catch (JsonException | java.util.NoSuchElementException e) {
            return new MalformedMessage("message is not valid JSON", null);
        }
        JsonValue msgId = presentOrNull(object.get("msgId"));
        if (msgId instanceof JsonString s && s.getString().isEmpty()) {
            msgId = null;
        }
        if (msgId != null && (msgId instanceof JsonString s ? s.getString().length() : msgId.toString().length())
                > MAX_MSG_ID_LENGTH) {
            return new MalformedMessage("'msgId' is longer than " + MAX_MSG_ID_LENGTH + " characters", null);
        }
        JsonValue type = presentOrNull(object.get("type"));
        JsonValue to = presentOrNull(object.get("to"));
        if (type != null && !(type instanceof JsonString)) {
            return new MalformedMessage("'type' must be a string", msgId);
        }
        if (to != null && !(to instanceof JsonString)) {
            return new MalformedMessage("'to' must be a string", msgId);
        }
        return new ClientMessage(type == null ? "" : ((JsonString) type).getString(),
                to == null ? null : ((JsonString) to).getString(),
                object.get("payload"), msgId);
    }

    @Override
    public boolean willDecode(String text) {
        // Always: otherwise Liberty calls @OnMessage with null instead of reporting the bad frame.
        return true;
    }

    private static JsonValue presentOrNull(JsonValue value) {
        return value == null || value.getValueType() == JsonValue.ValueType.NULL ? null : value;
    }
}
