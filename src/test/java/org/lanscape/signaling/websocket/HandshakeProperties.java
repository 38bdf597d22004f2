package org.lanscape.signaling.websocket;

import jakarta.json.JsonObject;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Property-based tests of the handshake checks: exact acceptance rules, no exception escapes. */
class HandshakeProperties {

    private static final String SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";

    @Property(tries = 3000)
    void aTopicIsValidExactlyWhenEveryCharacterIsSafeAndItIsNotADotName(@ForAll @StringLength(max = 140) String topic) {
        boolean expected = !topic.isEmpty() && topic.length() <= 128 && !topic.equals(".") && !topic.equals("..")
                && topic.chars().allMatch(c -> SAFE.indexOf(c) >= 0);
        assertEquals(expected, TopicNames.isValid(topic));
    }

    @Property(tries = 2000)
    void metadataIsAnObjectWithinTheLimitOrARefusalNeverAnotherException(@ForAll @StringLength(max = 200) String text) {
        try {
            JsonObject metadata = PeerMetadata.parse(text, 64);
            assertTrue(text.getBytes(StandardCharsets.UTF_8).length <= 64);
            assertTrue(metadata != null);
        } catch (IllegalArgumentException expected) {
            // refused with a message for the client: fine
        }
    }

    @Property(tries = 2000)
    void anOriginNotOnTheListIsRefused(@ForAll @StringLength(max = 60) String origin) {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com"));
        assertEquals(origin.equalsIgnoreCase("https://app.example.com"), policy.allows(origin));
    }
}
