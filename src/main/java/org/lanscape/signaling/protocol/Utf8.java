package org.lanscape.signaling.protocol;

/** The UTF-8 size of text, without encoding it. */
public final class Utf8 {

    private Utf8() {
    }

    /** Bytes that {@code text} takes in UTF-8 (an unpaired surrogate counts as the 3 bytes of U+FFFD). */
    public static int length(String text) {
        return length(text, 0, text.length());
    }

    /** Bytes that the characters {@code [from, to)} of {@code text} take in UTF-8. */
    public static int length(String text, int from, int to) {
        int bytes = to - from;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair of two chars
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /**
     * Where a part of {@code text} that starts at {@code from} ends: at most {@code chars} long (at
     * least one character), never inside a surrogate pair (one more when the pair is all it holds).
     */
    public static int partEnd(String text, int from, int chars) {
        int to = Math.min(text.length(), from + Math.max(1, chars));
        if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
            to = to - from > 1 ? to - 1 : to + 1;
        }
        return to;
    }
}
