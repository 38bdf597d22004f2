package org.lanscape.signaling.protocol;

import jakarta.json.bind.Jsonb;
import jakarta.json.spi.JsonProvider;
import jakarta.json.bind.JsonbBuilder;

/** The JSON machinery of the codecs: thread-safe, and costly to look up, so shared. */
final class Json {
    static final Jsonb JSONB = JsonbBuilder.create();
    static final JsonProvider PROVIDER = JsonProvider.provider();

    private Json() {
    }
}
