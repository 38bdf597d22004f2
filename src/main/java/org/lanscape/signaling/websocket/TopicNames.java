package org.lanscape.signaling.websocket;

import java.util.regex.Pattern;

/**
 * A topic is 1-128 characters from the URL-safe set {@code A-Z a-z 0-9 . _ ~ -}, and not "." or
 * "..": nothing to escape, no path traversal, no control characters.
 */
public final class TopicNames {

    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._~\\-]{1," + MAX_LENGTH + "}");

    private TopicNames() {
    }

    public static boolean isValid(String topic) {
        return topic != null && VALID.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
    }
}
