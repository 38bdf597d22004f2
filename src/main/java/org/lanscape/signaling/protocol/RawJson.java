package org.lanscape.signaling.protocol;

/**
 * A JSON value exactly as a client wrote it (a relay's {@code payload}, any {@code msgId}): it is
 * passed on byte for byte, never parsed into a tree and written out again.
 */
public record RawJson(String text) {

    public static RawJson of(String text) {
        return text == null ? null : new RawJson(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
