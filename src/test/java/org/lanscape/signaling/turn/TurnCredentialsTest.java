package org.lanscape.signaling.turn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TurnCredentialsTest {

    @Test
    void hmacSha1MatchesRfc2202() {
        // RFC 2202, test case 2: effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
        assertEquals("7/zfauXrL6LSdBbV8YTfnCWafHk=", TurnCredentials.hmacSha1Base64("Jefe", "what do ya want for nothing?"));
    }

    @Test
    void usernameIsExpiryColonUserAndThePasswordItsHmac() {
        TurnCredentials credentials = TurnCredentials.issue("secret", "01J5PEER", Duration.ofHours(1),
                List.of("turn:turn.example.com:3478"), Instant.ofEpochSecond(1_700_000_000L));
        assertEquals("1700003600:01J5PEER", credentials.username());
        // base64(HMAC-SHA1("secret", "1700003600:01J5PEER")), computed outside this code (Python's hmac)
        assertEquals("DO8TSxStgU/Cdewpd1Klj3y5Sq0=", credentials.password());
        assertEquals(3600, credentials.ttl());
    }
}
