package org.lanscape.signaling.protocol;

/**
 * A JSON value exactly as a client wrote it (a relay's {@code payload}, any {@code msgId}): it is
 * passed on byte for byte, never parsed into a tree and written out again. {@code ascii} is true
 * when it is known to be ASCII, so that its UTF-8 size is its length without counting; false when
 * that is not known. Equal when the texts are.
 */
public record RawJson(String text, boolean ascii) {

    public static RawJson of(String text) {
        return text == null ? null : new RawJson(text, false);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawJson raw && raw.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
