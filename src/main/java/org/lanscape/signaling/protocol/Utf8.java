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
}
