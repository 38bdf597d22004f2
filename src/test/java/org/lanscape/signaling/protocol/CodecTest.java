package org.lanscape.signaling.protocol;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {

    private final ServerMessageEncoder encoder = new ServerMessageEncoder();
    private final ClientMessageDecoder decoder = new ClientMessageDecoder();

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text)).readValue();
    }

    /**
     * The decoder says when a frame is all ASCII, so that its relay's size on the wire is its
     * length; one non-ASCII character anywhere in it (a string value, a key, an escape's
     * neighbour) and it does not.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"offer\",\"to\":\"B\",\"payload\":{\"sdp\":\"v=0\\r\\n\"},\"msgId\":\"m1\"}",
            "{\"type\":\"offer\",\"to\":\"B\",\"payload\":{\"sdp\":\"v=0\\r\\né\"},\"msgId\":\"m1\"}",
            "{\"type\":\"offer\",\"to\":\"B\",\"payload\":{\"€\":1},\"msgId\":\"m1\"}",
            "{\"type\":\"offer\",\"to\":\"B\",\"payload\":[\"\\u00e9\"],\"msgId\":\"\uD83D\uDE00\"}",
            "{\"type\":\"offer\",\"to\":\"B\",\"payload\":\"x\\\"ü\"}"})
    void theDecoderKnowsWhenAFrameIsAscii(String text) {
        ClientMessage message = (ClientMessage) decoder.decode(text);
        boolean ascii = text.chars().allMatch(c -> c < 0x80);
        assertEquals(ascii, ServerMessageEncoder.isAscii(message.payload(), message.msgId()), text);
        String relayed = ServerMessageEncoder.toJson(new ServerMessage.Relayed("offer", "A", message.payload(), message.msgId()));
        assertEquals(relayed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                org.lanscape.signaling.delivery.Frame.relay(relayed, ascii, 0, "A", message.msgId(), null).bytes());
    }

    @Test
    void aRelayIsEncodedTheSameWithOrWithoutEscapesInTypeOrSender() {
        RawJson payload = RawJson.of("{\"sdp\":\"v=0\"}");
        assertEquals("{\"type\":\"offer\",\"from\":\"01J5\",\"payload\":{\"sdp\":\"v=0\"},\"msgId\":\"m\"}",
                ServerMessageEncoder.toJson(new ServerMessage.Relayed("offer", "01J5", payload, RawJson.of("\"m\""))));
        assertEquals("{\"type\":\"offer\",\"from\":\"01J5\"}",
                ServerMessageEncoder.toJson(new ServerMessage.Relayed("offer", "01J5", null, null)));
        assertEquals("{\"type\":\"of\\\"fer\",\"from\":\"0é\",\"payload\":1}",
                ServerMessageEncoder.toJson(new ServerMessage.Relayed("of\"fer", "0é", RawJson.of("1"), null)));
    }

    /**
     * The encoder writes each message by hand; JSON-B, following the records' property order and
     * leaving nulls out, writes the same text, escapes and metadata included.
     */
    @Test
    void everyMessageIsWrittenAsJsonbWritesIt() throws Exception {
        JsonValue metadata = json("{\"name\":\"Zoë \\\"the\\\" <b>\",\"n\":[1,2.5,null,true],\"o\":{}}");
        List<ServerMessage> messages = List.of(
                new ServerMessage.Welcome("01J5"), new ServerMessage.Welcome("01J5", "tok\\en\"/\u0001"),
                new ServerMessage.PeerList(List.of()),
                new ServerMessage.PeerList(List.of(new PeerRecord("A", null), new PeerRecord("B\n", metadata))),
                new ServerMessage.PeerJoined("01J5", null), new ServerMessage.PeerJoined("01J5", metadata),
                new ServerMessage.PeerLeft("01J5\t"),
                new ServerMessage.Error(ErrorCode.DROPPED, "it said \"no\"", RawJson.of("\"m\"")),
                new ServerMessage.Relayed("offer", "01J5", RawJson.of("{\"a\":1}"), RawJson.of("7")));
        try (jakarta.json.bind.Jsonb jsonb = jakarta.json.bind.JsonbBuilder.create()) {
            for (ServerMessage message : messages) {
                String expected = message instanceof ServerMessage.Relayed || message instanceof ServerMessage.Error
                        ? null : jsonb.toJson(message);
                String written = encoder.encode(message);
                if (expected != null) {
                    assertEquals(expected, written);
                }
                assertEquals(message.type(), json(written).asJsonObject().getString("type"), "valid JSON: " + written);
            }
        }
    }

    @Test
    void welcome() {
        assertEquals("{\"type\":\"welcome\",\"selfId\":\"01J5\"}", encoder.encode(new ServerMessage.Welcome("01J5")));
    }

    @Test
    void peerListOmitsEmptyPeersAndEmptyMetadata() {
        assertEquals("{\"type\":\"peer-list\"}", encoder.encode(new ServerMessage.PeerList(List.of())));
        assertEquals("{\"type\":\"peer-list\",\"peers\":[{\"id\":\"A\"},{\"id\":\"B\",\"metadata\":{\"name\":\"b\"}}]}",
                encoder.encode(new ServerMessage.PeerList(List.of(
                        new PeerRecord("A", null), new PeerRecord("B", json("{\"name\":\"b\"}"))))));
    }

    @Test
    void peerJoinedAndLeft() {
        assertEquals("{\"type\":\"peer-joined\",\"peerId\":\"A\"}", encoder.encode(new ServerMessage.PeerJoined("A", null)));
        assertEquals("{\"type\":\"peer-joined\",\"peerId\":\"A\",\"metadata\":{\"n\":1}}",
                encoder.encode(new ServerMessage.PeerJoined("A", json("{\"n\":1}"))));
        assertEquals("{\"type\":\"peer-left\",\"peerId\":\"A\"}", encoder.encode(new ServerMessage.PeerLeft("A")));
    }

    @Test
    void errorOmitsMissingMsgId() {
        assertEquals("{\"type\":\"error\",\"code\":\"target_not_found\",\"message\":\"peer not found\"}",
                encoder.encode(new ServerMessage.Error(ErrorCode.TARGET_NOT_FOUND, null)));
        assertEquals("{\"type\":\"error\",\"code\":\"dropped\",\"message\":\"delivery failed\",\"msgId\":\"abc\"}",
                encoder.encode(new ServerMessage.Error(ErrorCode.DROPPED, RawJson.of("\"abc\""))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"sdp\":\"v=0\\r\\n\",\"type\":\"offer\"}", "\"text\"", "42", "[1,{\"a\":null}]", "null", "true", "{}"})
    void relayPassesPayloadAndMsgIdThroughUnchanged(String payload) {
        String in = "{\"type\":\"offer\",\"to\":\"B\",\"payload\":" + payload + ",\"msgId\":" + payload + "}";
        ClientMessage message = assertInstanceOf(ClientMessage.class, decoder.decode(in));
        assertEquals("offer", message.type());
        assertEquals("B", message.to());
        String out = encoder.encode(new ServerMessage.Relayed(message.type(), "A", message.payload(), message.msgId()));
        JsonValue expectedMsgId = "null".equals(payload) ? null : json(payload);
        assertTrue(out.contains("\"payload\":" + payload), "byte for byte: " + out);
        JsonValue relayed = json(out);
        assertEquals(json(payload), relayed.asJsonObject().get("payload"));
        assertEquals(expectedMsgId, relayed.asJsonObject().get("msgId"));
        assertEquals("A", relayed.asJsonObject().getString("from"));
    }

    @Test
    void relayOmitsAbsentPayloadAndMsgId() {
        ClientMessage message = (ClientMessage) decoder.decode("{\"type\":\"answer\",\"to\":\"B\"}");
        assertEquals("{\"type\":\"answer\",\"from\":\"A\"}",
                encoder.encode(new ServerMessage.Relayed(message.type(), "A", message.payload(), message.msgId())));
    }

    @Test
    void clientFromIsIgnored() {
        ClientMessage message = (ClientMessage) decoder.decode("{\"type\":\"offer\",\"to\":\"B\",\"from\":\"forged\"}");
        String out = encoder.encode(new ServerMessage.Relayed(message.type(), "A", message.payload(), message.msgId()));
        assertEquals("A", json(out).asJsonObject().getString("from"));
    }

    @Test
    void missingTypeAndTargetDecodeForTheSeedErrors() {
        ClientMessage message = (ClientMessage) decoder.decode("{\"msgId\":\"m\"}");
        assertEquals("", message.type());
        assertNull(message.to());
        assertEquals("\"m\"", message.msgId().text());
    }

    @Test
    void payloadIsPassedOnExactlyAsWrittenAndEscapesSurvive() {
        String payload = "{ \"sdp\" : \"v=0\\r\\na=\\\"x\\\" \\u00e9\" , \"n\":[1, 2.50e1] }";
        ClientMessage message = (ClientMessage) decoder.decode(
                "{\"payload\":   " + payload + "  ,\"type\":\"offer\",\"to\":\"B\",\"msgId\": 12.0}");
        String out = encoder.encode(new ServerMessage.Relayed(message.type(), "A", message.payload(), message.msgId()));
        assertEquals("{\"type\":\"offer\",\"from\":\"A\",\"payload\":" + payload + ",\"msgId\":12.0}", out);
        assertEquals(json(payload), json(out).asJsonObject().get("payload"));
    }

    @Test
    void invalidJsonInsideThePayloadIsMalformed() {
        assertInstanceOf(MalformedMessage.class, decoder.decode("{\"type\":\"offer\",\"to\":\"B\",\"payload\":{\"a\":}}"));
        assertInstanceOf(MalformedMessage.class, decoder.decode("{\"type\":\"offer\",\"payload\":[1,,2]}"));
        assertInstanceOf(MalformedMessage.class, decoder.decode("{\"type\":\"offer\",\"msgId\":tru}"));
    }

    /** 3 000 levels of nesting are 6 KB: valid JSON well within the size limit, relayed like any other. */
    @Test
    void aPayloadOfAnyDepthIsRelayed() {
        String deep = "[".repeat(3000) + "]".repeat(3000);
        String objects = "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
        for (String payload : List.of(deep, objects)) {
            ClientMessage message = assertInstanceOf(ClientMessage.class,
                    decoder.decode("{\"type\":\"offer\",\"to\":\"B\",\"payload\":" + payload + ",\"msgId\":\"m\"}"));
            assertEquals(payload, message.payload().text());
            assertEquals("\"m\"", message.msgId().text());
        }
        MalformedMessage unbalanced = assertInstanceOf(MalformedMessage.class,
                decoder.decode("{\"msgId\":\"m\",\"payload\":" + "[".repeat(3000) + "]".repeat(2999) + "}"));
        assertEquals("message is not valid JSON: expected , or ] at character " + (23 + 3000 + 2999), unbalanced.problem());
    }

    @Test
    void anErrorSaysWhatIsWrongWhereAndKeepsAMsgIdReadBeforeIt() {
        String broken = "{\"msgId\":\"m1\",\"type\":\"offer\",\"payload\":{\"a\":}}";
        MalformedMessage early = assertInstanceOf(MalformedMessage.class, decoder.decode(broken));
        assertEquals("message is not valid JSON: unexpected character at character " + (broken.indexOf(":}") + 1),
                early.problem());
        assertEquals("\"m1\"", early.msgId().text());
        MalformedMessage late = assertInstanceOf(MalformedMessage.class,
                decoder.decode("{\"payload\":[1,,2],\"msgId\":\"m2\"}"));
        assertEquals("message is not valid JSON: unexpected character at character 14", late.problem());
        assertNull(late.msgId(), "it cannot be read: the text stops being JSON before it");
        MalformedMessage cut = assertInstanceOf(MalformedMessage.class, decoder.decode("{\"msgId\":\"m3\",\"payload\":\"abc"));
        assertEquals("message is not valid JSON: unterminated string at character 28", cut.problem());
        assertEquals("\"m3\"", cut.msgId().text());
        assertEquals("message must be a JSON object",
                assertInstanceOf(MalformedMessage.class, decoder.decode("[1]")).problem());
    }

    @Test
    void errorMessagesAreEscaped() {
        assertEquals("{\"type\":\"error\",\"code\":\"invalid_message\",\"message\":\"a \\\"q\\\" \\\\ \\n\"}",
                encoder.encode(new ServerMessage.Error(ErrorCode.INVALID_MESSAGE, "a \"q\" \\ \n", null)));
    }

    @Test
    void emptyMsgIdIsNoMsgId() {
        assertNull(((ClientMessage) decoder.decode("{\"type\":\"offer\",\"msgId\":\"\"}")).msgId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "", "{", "[1,2]", "\"offer\"", "42", "null", "{\"type\":\"offer\"} trailing"})
    void notAJsonObjectIsMalformed(String text) {
        MalformedMessage malformed = assertInstanceOf(MalformedMessage.class, decoder.decode(text));
        assertNull(malformed.msgId());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":5,\"msgId\":\"m\"}", "{\"type\":{},\"msgId\":\"m\"}",
            "{\"type\":\"offer\",\"to\":7,\"msgId\":\"m\"}", "{\"type\":\"offer\",\"to\":[\"B\"],\"msgId\":\"m\"}"})
    void wrongFieldTypesAreMalformedAndKeepTheMsgId(String text) {
        MalformedMessage malformed = assertInstanceOf(MalformedMessage.class, decoder.decode(text));
        assertEquals("\"m\"", malformed.msgId().text());
    }
}
