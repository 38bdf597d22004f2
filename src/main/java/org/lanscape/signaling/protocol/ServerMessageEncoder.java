package org.lanscape.signaling.protocol;

import jakarta.websocket.Encoder;

/**
 * Encodes every {@link ServerMessage} to its JSON text (each record's doc shows the JSON), leaving
 * null components out. The registry encodes each message once through {@link #toJson} and hands
 * the same text to every recipient, so a broadcast costs one encoding. The two messages of the
 * hot path, a relay and an error, are written directly (their payload and msgId are the client's
 * raw JSON, passed on unchanged); the others go through JSON-B. Stateless.
 */
public class ServerMessageEncoder implements Encoder.Text<ServerMessage> {

    public static String toJson(ServerMessage message) {
        if (message instanceof ServerMessage.Relayed relayed) {
            return relayed(relayed);
        }
        if (message instanceof ServerMessage.Error error) {
            return error(error);
        }
        return Json.JSONB.toJson(message);
    }

    private static String relayed(ServerMessage.Relayed m) {
        StringBuilder json = new StringBuilder(64 + length(m.payload()) + length(m.msgId()));
        json.append("{\"type\":");
        string(json, m.type());
        json.append(",\"from\":");
        string(json, m.from());
        if (m.payload() != null) {
            json.append(",\"payload\":").append(m.payload().text());
        }
        if (m.msgId() != null) {
            json.append(",\"msgId\":").append(m.msgId().text());
        }
        return json.append('}').toString();
    }

    private static String error(ServerMessage.Error m) {
        StringBuilder json = new StringBuilder(96 + length(m.msgId()));
        json.append("{\"type\":\"error\",\"code\":");
        string(json, m.code());
        json.append(",\"message\":");
        string(json, m.message());
        if (m.msgId() != null) {
            json.append(",\"msgId\":").append(m.msgId().text());
        }
        return json.append('}').toString();
    }

    private static int length(RawJson raw) {
        return raw == null ? 0 : raw.text().length();
    }

    /** Appends a JSON string literal. */
    static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    @Override
    public String encode(ServerMessage message) {
        return toJson(message);
    }
}
