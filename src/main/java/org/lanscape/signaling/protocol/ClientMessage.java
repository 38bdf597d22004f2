package org.lanscape.signaling.protocol;


/**
 * A decoded client frame. On the wire:
 * <pre>{"type": "offer", "to": "01J5...", "payload": {...}, "msgId": "abc"}</pre>
 * {@code to} is null when absent (or JSON null), {@code payload} and {@code msgId} are the client's
 * JSON values, unchanged, or null when absent. A {@code from} sent by the client is ignored.
 */
public record ClientMessage(String type, String to, RawJson payload, RawJson msgId) implements ClientFrame {
}
