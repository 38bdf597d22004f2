package org.lanscape.signaling.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeChecksTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "room-1", "Room_2.x~y", "01J5ABCDEF"})
    void validTopics(String topic) {
        assertTrue(TopicNames.isValid(topic));
        assertTrue(TopicNames.isValid("x".repeat(128)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "../etc", "a b", "a%20b", "a\u0000b", "a\nb", "tab\t", "é", "a?b",
            "a#b", "<script>"})
    void invalidTopics(String topic) {
        assertFalse(TopicNames.isValid(topic));
        assertFalse(TopicNames.isValid("x".repeat(129)));
        assertFalse(TopicNames.isValid(null));
    }

    @Test
    void originAllowList() {
        OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com", "https://*.example.org"));
        assertFalse(policy.allowsAll());
        assertTrue(policy.allows("https://app.example.com"));
        assertTrue(policy.allows("HTTPS://APP.EXAMPLE.COM"));
        assertTrue(policy.allows("https://a.example.org"));
        assertTrue(policy.allows("https://a.b.example.org"));
        assertTrue(policy.allows(null), "no Origin: not a browser");
        assertFalse(policy.allows("https://example.org"), "the wildcard is for subdomains");
        assertFalse(policy.allows("http://app.example.com"), "scheme matters");
        assertFalse(policy.allows("https://evil.com"));
        assertFalse(policy.allows("https://app.example.com.evil.com"));
        assertFalse(policy.allows("https://evilexample.org"));
        assertTrue(new OriginPolicy(List.of("*")).allows("https://anything"));
        assertTrue(new OriginPolicy(List.of()).allowsAll());
    }

    @Test
    void metadataMustBeOneSmallObject() {
        assertEquals("b", PeerMetadata.parse("{\"name\":\"b\"}", 4096).getString("name"));
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse("[1]", 4096));
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse("\"x\"", 4096));
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse("{", 4096));
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse("{} {}", 4096));
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse("", 4096));
        String big = "{\"n\":\"" + "é".repeat(2100) + "\"}"; // 4 200+ bytes in UTF-8, 2 100 characters
        assertThrows(IllegalArgumentException.class, () -> PeerMetadata.parse(big, 4096));
    }

    @Test
    void rateLimiterRefusesPastTheBurstRefillsAndFlagsAFlooder() {
        long now = 0;
        RateLimiter limiter = new RateLimiter(50, 100, 10, now);
        for (int i = 0; i < 100; i++) {
            assertTrue(limiter.tryAcquire(now), "the burst");
        }
        assertFalse(limiter.tryAcquire(now));
        now += 20_000_000; // 20 ms at 50/s: one token
        assertTrue(limiter.tryAcquire(now));
        assertFalse(limiter.tryAcquire(now));
        for (int i = 0; i < 6; i++) {
            limiter.tryAcquire(now);
        }
        now += 20_000_000; // a trickle of refill does not forgive a flooder
        assertTrue(limiter.tryAcquire(now));
        assertFalse(limiter.tryAcquire(now));
        assertFalse(limiter.shouldClose(), "9 refused since the bucket was full");
        limiter.tryAcquire(now);
        assertTrue(limiter.shouldClose(), "10 refused since the bucket was full");
        now += 1_000_000_000;
        assertTrue(limiter.tryAcquire(now));
        assertTrue(limiter.shouldClose(), "half refilled: not forgiven yet");
        now += 2_000_000_000L;
        assertTrue(limiter.tryAcquire(now));
        assertFalse(limiter.shouldClose(), "a full bucket forgives");
    }
}
