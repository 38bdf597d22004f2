package org.lanscape.signaling.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.protocol.RawJson;

import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Held relays keep their senders on their way to another node or into Redis, and nodes of two
 * releases still read each other's hand-overs: the frames stay an array of strings.
 */
class HeldRelayTest {

    private static JsonObject written(List<HeldRelay> relays) {
        String wire = HeldRelay.write(Json.createObjectBuilder(), relays).build().toString();
        return Json.createReader(new StringReader(wire)).readObject();
    }

    @Test
    void relaysTravelWithTheirSenders() {
        HeldRelay known = new HeldRelay("{\"type\":\"offer\"}", "01SENDER", RawJson.of("{\"n\":[1]}"), "node-a");
        HeldRelay unknown = new HeldRelay("{\"type\":\"answer\"}", null, null, null);
        List<HeldRelay> back = HeldRelay.read(written(List.of(known, unknown)));
        assertEquals(known.frame(), back.get(0).frame());
        assertEquals("01SENDER", back.get(0).from());
        assertEquals("{\"n\":[1]}", back.get(0).msgId().text());
        assertEquals("node-a", back.get(0).senderNode());
        assertEquals(unknown, back.get(1));
    }

    @Test
    void aNodeOfAnEarlierReleaseReadsTheFramesAsBeforeAndIsRead() {
        JsonObject wire = written(List.of(new HeldRelay("{\"type\":\"offer\"}", "01SENDER", null, "node-a")));
        assertEquals(List.of("{\"type\":\"offer\"}"), wire.getJsonArray("frames").getValuesAs(jakarta.json.JsonString::getString),
                "what an earlier release reads");
        JsonObject earlier = Json.createObjectBuilder().add("frames", Json.createArrayBuilder().add("{\"type\":\"x\"}")).build();
        HeldRelay read = HeldRelay.read(earlier).get(0);
        assertEquals("{\"type\":\"x\"}", read.frame());
        assertNull(read.from());
    }

    @Test
    void theSendersAloneAreKeptForTellingThemLater() {
        List<HeldRelay> relays = List.of(new HeldRelay("{}", "01A", RawJson.of("\"m1\""), "node-a"), new HeldRelay("{}", null, null, null));
        String kept = HeldRelay.senders(relays).toString();
        List<HeldRelay> back = HeldRelay.sendersOf(Json.createReader(new StringReader(kept)).readArray());
        assertEquals(List.of(new HeldRelay(null, "01A", RawJson.of("\"m1\""), "node-a")), back, "only those with a sender");
    }
}
