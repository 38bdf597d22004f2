package org.lanscape.signaling.session;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Resume tokens: {@code base64url(node id) "." base64url(24 random bytes)}. The token names the
 * node that holds the session, so that whichever node the client comes back to knows whom to ask;
 * the random part is the secret, checked by that node alone.
 */
public final class ResumeTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_LENGTH = 512;

    private ResumeTokens() {
    }

    public static String issue(String node) {
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString(node.getBytes(StandardCharsets.UTF_8)) + "." + encoder.encodeToString(secret);
    }

    /** The node that issued the token, or null when it is not one of ours. */
    public static String node(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            return null;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
