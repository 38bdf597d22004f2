package org.lanscape.signaling.websocket;

import org.lanscape.signaling.protocol.Utf8;

import java.util.function.IntConsumer;

/**
 * Joins the frames of one text message and holds the message size limit, in UTF-8 bytes as on the
 * wire, on the whole of it. The container refuses a frame whose header declares more than the
 * session's buffer size before reading it (close 1009); after each fragment this tells the session
 * ({@code nextFrameLimit}) how many bytes the message has left, so that a message in many frames
 * is refused at the header of the frame that would pass the limit too: at most the limit is ever
 * read. Counting here as well keeps the limit on a runtime that checks less.
 */
final class TextAssembler {

    private final int limit;
    private final IntConsumer nextFrameLimit;
    private StringBuilder partial;
    private int bytes;
    private boolean tooBig;

    TextAssembler(int limitBytes, IntConsumer nextFrameLimit) {
        this.limit = limitBytes;
        this.nextFrameLimit = nextFrameLimit;
    }

    /**
     * Adds one frame's text; returns the whole message once {@code last} arrives, null while
     * frames are missing or once the message has passed the limit (see {@link #tooBig()}).
     */
    String add(String part, boolean last) {
        if (tooBig) {
            return null;
        }
        if (last && partial == null) { // the usual case, one frame: no copy
            // The container held the frame to the limit; checked again, in bytes only when it could matter.
            if (part.length() > limit || (part.length() > limit / 3 && Utf8.length(part) > limit)) {
                tooBig = true;
                return null;
            }
            return part;
        }
        bytes += Utf8.length(part);
        if (bytes > limit) {
            tooBig = true;
            partial = null;
            return null;
        }
        if (partial == null) {
            partial = new StringBuilder(Math.min(limit, Math.max(256, part.length() * 2)));
        }
        partial.append(part);
        if (!last) {
            nextFrameLimit.accept(Math.max(1, limit - bytes));
            return null;
        }
        String message = partial.toString();
        partial = null;
        bytes = 0;
        nextFrameLimit.accept(limit);
        return message;
    }

    /** True once a message went over the limit: the connection must be closed with 1009. */
    boolean tooBig() {
        return tooBig;
    }
}
