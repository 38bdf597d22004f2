package org.lanscape.signaling.delivery;

import org.lanscape.signaling.protocol.RawJson;
import org.lanscape.signaling.protocol.Utf8;

/**
 * One encoded message on its way to a peer, with its size on the wire (UTF-8 bytes), which is
 * what the queues are bounded by. A broadcast is one Frame shared by every recipient. A relay also
 * names its sender, so that a relay that cannot be delivered after all (its target's session
 * expired, its target was disconnected) is answered with {@code dropped} rather than lost in
 * silence, and carries the time it was received, for the hand-off latency.
 */
public final class Frame {

    /** What a frame is, which decides what happens when it does not fit. */
    public enum Kind {
        /** welcome, peer-list, error: for this connection; a peer that cannot take it is a slow consumer. */
        CONTROL,
        /** peer-joined, peer-left: never skipped; a peer that cannot take it is a slow consumer. */
        PRESENCE,
        /** offer, answer, ice-candidate: waits a while for room, then its sender gets {@code dropped}. */
        RELAY,
        /**
         * An error about a message this peer sent (it carries that msgId): held while the peer is
         * away and sent again after a resume, as a relay is, but never answered {@code dropped}.
         */
        REPLY
    }

    private final String text;
    private final int bytes;
    private final Kind kind;
    private final long receivedAt;
    private final String from;
    private final RawJson msgId;
    private final String senderNode;
    private final TextSource source;

    private Frame(String text, int bytes, Kind kind, long receivedAt, String from, RawJson msgId, String senderNode) {
        this(text, bytes, kind, receivedAt, from, msgId, senderNode, null);
    }

    private Frame(String text, int bytes, Kind kind, long receivedAt, String from, RawJson msgId, String senderNode,
                  TextSource source) {
        this.source = source;
        this.text = text;
        this.bytes = bytes;
        this.kind = kind;
        this.receivedAt = receivedAt;
        this.from = from;
        this.msgId = msgId;
        this.senderNode = senderNode;
    }

    public static Frame control(String text) {
        return new Frame(text, Utf8.length(text), Kind.CONTROL, 0, null, null, null);
    }

    /**
     * A control frame whose text is made part by part as it is written ({@link #source}); it is
     * counted as the {@code heldBytes} it holds meanwhile, not as its size on the wire.
     */
    public static Frame streamed(TextSource source, int heldBytes) {
        return new Frame(null, heldBytes, Kind.CONTROL, 0, null, null, null, source);
    }

    public static Frame reply(String text) {
        return new Frame(text, Utf8.length(text), Kind.REPLY, 0, null, null, null);
    }

    public static Frame presence(String text) {
        return new Frame(text, Utf8.length(text), Kind.PRESENCE, 0, null, null, null);
    }

    /**
     * A relay from peer {@code from} of node {@code senderNode} (null: this node), received at
     * {@code receivedAt} (System.nanoTime()).
     */
    public static Frame relay(String text, long receivedAt, String from, RawJson msgId, String senderNode) {
        return relay(text, false, receivedAt, from, msgId, senderNode);
    }

    /** As above, {@code ascii} when the text is known to be ASCII (its size is then its length). */
    public static Frame relay(String text, boolean ascii, long receivedAt, String from, RawJson msgId, String senderNode) {
        return new Frame(text, ascii ? text.length() : Utf8.length(text), Kind.RELAY, receivedAt, from, msgId, senderNode);
    }

    /** The whole text; null for a {@link #streamed} frame. */
    public String text() {
        return text;
    }

    /** Where a {@link #streamed} frame's text comes from, part by part; null for any other. */
    public TextSource source() {
        return source;
    }

    /** Size on the wire: the text's UTF-8 bytes (a streamed frame: what it holds). */
    public int bytes() {
        return bytes;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRelay() {
        return kind == Kind.RELAY;
    }

    /** A relay or a reply: held while the peer is away, handed over with its session, sent again after a resume. */
    public boolean isKept() {
        return kind == Kind.RELAY || kind == Kind.REPLY;
    }

    /** System.nanoTime() at receipt, for relays. */
    public long receivedAt() {
        return receivedAt;
    }

    /** The peer that sent this relay. */
    public String from() {
        return from;
    }

    public RawJson msgId() {
        return msgId;
    }

    /** The node of the sender; null when it is this node. */
    public String senderNode() {
        return senderNode;
    }
}
