package org.lanscape.signaling.websocket;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParser;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * The {@code metadata} query parameter: URL-decoded JSON, which must be one object of at most the
 * configured size in UTF-8 bytes, nested at most {@link #MAX_DEPTH} levels. It reaches the other
 * peers in peer-list and peer-joined.
 */
public final class PeerMetadata {

    /** A peer's description for the others needs a few levels; JSON-P recurses on each. */
    public static final int MAX_DEPTH = 32;

    private PeerMetadata() {
    }

    /** The parsed object; IllegalArgumentException with a message fit for the client otherwise. */
    public static JsonObject parse(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new IllegalArgumentException("metadata is larger than " + maxBytes + " bytes");
        }
        if (org.lanscape.signaling.protocol.JsonDepth.of(text) > MAX_DEPTH) {
            throw new IllegalArgumentException("metadata is nested deeper than " + MAX_DEPTH + " levels");
        }
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw new IllegalArgumentException("metadata must be a JSON object");
            }
            JsonObject object = parser.getObject();
            if (parser.hasNext()) {
                throw new IllegalArgumentException("metadata must be one JSON object");
            }
            return object;
        } catch (RuntimeException e) { // JsonException, and what else Parsson throws
            if (e instanceof IllegalArgumentException mine && mine.getMessage().startsWith("metadata")) {
                throw mine;
            }
            throw new IllegalArgumentException("metadata is not valid JSON");
        }
    }
}
