package org.lanscape.signaling.protocol;


/**
 * A text frame that is not a protocol message: not JSON, not an object, or a field of the wrong
 * JSON type. Answered with {@code invalid_message}, naming the problem, and the frame's msgId when
 * it had one; the connection stays open.
 */
public record MalformedMessage(String problem, RawJson msgId) implements ClientFrame {
}
