package org.lanscape.signaling.turn;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Time-limited TURN credentials per the TURN REST API draft (draft-uberti-behave-turn-rest), the
 * scheme of coturn's {@code use-auth-secret}: the username is {@code <expiry unix time>:<user>}
 * and the password is base64(HMAC-SHA1(shared secret, username)). The TURN server checks both
 * without asking anyone.
 */
public record TurnCredentials(String username, String password, long ttl, List<String> uris) {

    public static TurnCredentials issue(String secret, String user, Duration ttl, List<String> uris, Instant now) {
        String username = (now.getEpochSecond() + ttl.toSeconds()) + ":" + user;
        return new TurnCredentials(username, hmacSha1Base64(secret, username), ttl.toSeconds(), List.copyOf(uris));
    }

    static String hmacSha1Base64(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}
