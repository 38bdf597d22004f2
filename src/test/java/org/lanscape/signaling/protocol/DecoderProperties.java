package org.lanscape.signaling.protocol;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Property-based tests of the decoder: whatever a client sends, it answers, and never throws. */
class DecoderProperties {

    private final ClientMessageDecoder decoder = new ClientMessageDecoder();

    @Property(tries = 2000)
    void anyTextDecodesToAMessageOrAMalformedOneWithoutThrowing(@ForAll @StringLength(max = 300) String text) {
        ClientFrame frame = decoder.decode(text);
        assertNotNull(frame);
        assertTrue(frame instanceof ClientMessage || frame instanceof MalformedMessage);
    }

    @Property(tries = 2000)
    void mangledValidMessagesNeverThrow(@ForAll("mangled") String text) {
        assertNotNull(decoder.decode(text));
    }

    @Property(tries = 1000)
    void wellTypedMessagesRelayTheirPayloadAndMsgIdUnchanged(@ForAll("relayTypes") String type,
                                                            @ForAll("json") JsonValue payload,
                                                            @ForAll("json") JsonValue msgId) {
        JsonObjectBuilder message = Json.createObjectBuilder().add("type", type).add("to", "01TARGET")
                .add("payload", payload).add("msgId", msgId);
        ClientMessage decoded = assertInstanceOf(ClientMessage.class, decoder.decode(message.build().toString()));
        assertEquals(type, decoded.type());
        String relayed = ServerMessageEncoder.toJson(
                new ServerMessage.Relayed(decoded.type(), "01FROM", decoded.payload(), decoded.msgId()));
        var out = Json.createReader(new StringReader(relayed)).readObject();
        assertEquals(payload, out.get("payload"));
        assertTrue(relayed.contains("\"payload\":" + payload), "the payload's text is passed on as written");
        boolean omitted = msgId == JsonValue.NULL || msgId.equals(Json.createValue(""));
        assertEquals(omitted ? null : msgId, out.get("msgId"));
    }

    /** The hand-written scanner accepts exactly what JSON-P accepts, and reads the same type and to. */
    @Property(tries = 5000)
    void acceptsExactlyWhatJsonPAccepts(@ForAll("jsonish") String text) {
        jakarta.json.JsonObject reference;
        try (var parser = Json.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != jakarta.json.stream.JsonParser.Event.START_OBJECT) {
                reference = null;
            } else {
                reference = parser.getObject();
                if (parser.hasNext()) {
                    reference = null;
                }
            }
        } catch (RuntimeException e) {
            reference = null;
        }
        ClientFrame frame = decoder.decode(text);
        if (reference == null) {
            assertInstanceOf(MalformedMessage.class, frame, text);
            assertTrue(((MalformedMessage) frame).problem().contains("JSON"), text);
        } else if (frame instanceof ClientMessage message) {
            assertEquals(reference.containsKey("type") && !reference.isNull("type") ? reference.getString("type") : "",
                    message.type(), text);
            assertEquals(reference.containsKey("to") && !reference.isNull("to") ? reference.getString("to") : null,
                    message.to(), text);
            if (message.payload() != null) {
                assertEquals(reference.get("payload"),
                        Json.createReader(new StringReader(message.payload().text())).readValue(), text);
            }
        } else {
            String problem = ((MalformedMessage) frame).problem();
            assertTrue(problem.startsWith("'"), "valid JSON is refused only for a field's type or size: " + text);
        }
    }

    /** Short texts over JSON's alphabet, and small mutations of a valid message. */
    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> soup = Arbitraries.strings().withChars("{}[]\":,.-+eE0129tfnrulasy \\/\n\t\u0001é")
                .ofMaxLength(40).map(t -> "{" + t);
        return Arbitraries.oneOf(soup, mangled(), json().map(v -> "{\"type\":\"offer\",\"to\":\"x\",\"payload\":"
                + v + "}"));
    }

    @Provide
    Arbitrary<String> relayTypes() {
        return Arbitraries.of("offer", "answer", "ice-candidate");
    }

    @Provide
    Arbitrary<JsonValue> json() {
        Arbitrary<JsonValue> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).map(Json::createValue),
                Arbitraries.integers().map(Json::createValue),
                Arbitraries.doubles().between(-1e6, 1e6).map(Json::createValue),
                Arbitraries.of(JsonValue.TRUE, JsonValue.FALSE, JsonValue.NULL));
        return Arbitraries.oneOf(scalars,
                scalars.list().ofMaxSize(4).map(l -> {
                    var array = Json.createArrayBuilder();
                    l.forEach(array::add);
                    return array.build();
                }),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(6), scalars).ofMaxSize(4).map(m -> {
                    var object = Json.createObjectBuilder();
                    m.forEach(object::add);
                    return object.build();
                }));
    }

    /** A valid message with a few characters deleted, duplicated or replaced. */
    @Provide
    Arbitrary<String> mangled() {
        String valid = "{\"type\":\"offer\",\"to\":\"01J5\",\"payload\":{\"sdp\":\"v=0\\r\\n\",\"n\":[1,2]},\"msgId\":\"abc\"}";
        return Arbitraries.integers().between(0, valid.length() - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.chars().list().ofSize(positions.size()).map(chars -> {
                    StringBuilder text = new StringBuilder(valid);
                    for (int i = 0; i < positions.size(); i++) {
                        int at = Math.min(positions.get(i), text.length() - 1);
                        if (at >= 0) {
                            text.setCharAt(at, chars.get(i));
                        }
                    }
                    return text.toString();
                }));
    }
}
