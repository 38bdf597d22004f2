package org.lanscape.signaling.protocol;

import jakarta.websocket.Encoder;

/**
 * Encodes every {@link ServerMessage} to its JSON text (each record's doc shows the JSON), leaving
 * null components out. The registry encodes each message once through {@link #toJson} and hands
 * the same text to every recipient, so a broadcast costs one encoding. Stateless.
 */
public class ServerMessageEncoder implements Encoder.Text<ServerMessage> {

    public static String toJson(ServerMessage message) {
        return Json.JSONB.toJson(message);
    }

    @Override
    public String encode(ServerMessage message) {
        return toJson(message);
    }
}
