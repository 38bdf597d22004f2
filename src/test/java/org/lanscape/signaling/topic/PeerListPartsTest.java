package org.lanscape.signaling.topic;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.protocol.PeerRecord;
import org.lanscape.signaling.protocol.ServerMessage;
import org.lanscape.signaling.protocol.ServerMessageEncoder;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer-list written part by part is, joined, exactly the one encoded whole, cut anywhere but inside a surrogate pair. */
class PeerListPartsTest {

    @Test
    void thePartsJoinedAreThePeerListEncodedWhole() {
        List<PeerRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(new PeerRecord("01J5PEER" + i, i % 3 == 0 ? null : Json.createObjectBuilder()
                    .add("name", "peer \"" + i + "\" 😀 é").add("avatar", "A".repeat(i * 37)).build()));
        }
        String whole = ServerMessageEncoder.toJson(new ServerMessage.PeerList(records));
        for (int maxChars : new int[] {1, 2, 7, 100, 1_000, 100_000}) {
            PeerListParts parts = new PeerListParts(records);
            StringBuilder joined = new StringBuilder();
            int count = 0;
            while (!parts.done()) {
                String part = parts.next(maxChars);
                assertFalse(part.isEmpty());
                assertTrue(part.length() <= Math.max(2, maxChars), part.length() + " > " + maxChars);
                assertFalse(Character.isHighSurrogate(part.charAt(part.length() - 1)), "half a pair at the end");
                assertFalse(Character.isLowSurrogate(part.charAt(0)), "half a pair at the start");
                joined.append(part);
                count++;
            }
            assertEquals(whole, joined.toString(), "in parts of " + maxChars);
            assertTrue(maxChars < whole.length() ? count > 1 : count == 1);
        }
    }
}
