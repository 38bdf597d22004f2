package org.lanscape.signaling.cluster;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.protocol.RawJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A held relay keeps its sender on its way to another node or into Redis, and a bare frame of an earlier release still reads. */
class HeldRelayTest {

    @Test
    void aRelayTravelsWithItsSender() {
        HeldRelay relay = new HeldRelay("{\"type\":\"offer\"}", "01SENDER", RawJson.of("{\"n\":[1]}"), "node-a");
        String wire = relay.toJson().toString();
        HeldRelay back = HeldRelay.fromJson(Json.createReader(new java.io.StringReader("[" + wire + "]")).readArray().get(0));
        assertEquals(relay.frame(), back.frame());
        assertEquals("01SENDER", back.from());
        assertEquals("{\"n\":[1]}", back.msgId().toString());
        assertEquals("node-a", back.senderNode());
    }

    @Test
    void aBareFrameFromAnEarlierReleaseReadsWithoutASender() {
        HeldRelay back = HeldRelay.fromJson(Json.createValue("{\"type\":\"answer\"}"));
        assertEquals("{\"type\":\"answer\"}", back.frame());
        assertNull(back.from());
        assertNull(back.msgId());
        assertEquals("\"{\\\"type\\\":\\\"answer\\\"}\"", new HeldRelay(back.frame(), null, null, null).toJson().toString(),
                "and one without a sender is written as before");
    }
}
