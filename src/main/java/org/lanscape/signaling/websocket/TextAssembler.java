package org.lanscape.signaling.websocket;

/**
 * Joins the parts of one text message and enforces the message size limit on the whole of it.
 * Liberty checks its maxMessageSize against each frame only, so without this a client could send
 * one message of any size in frames just under the limit (60 MB in 60 KB continuation frames was
 * accepted in a test); here the message is refused as soon as its parts pass the limit.
 */
final class TextAssembler {

    private final int limit;
    private StringBuilder partial;
    private boolean tooBig;

    TextAssembler(int limit) {
        this.limit = limit;
    }

    /**
     * Adds one part; returns the whole message once {@code last} arrives, null while parts are
     * missing or once the message has passed the limit (see {@link #tooBig()}).
     */
    String add(String part, boolean last) {
        if (tooBig) {
            return null;
        }
        int size = (partial == null ? 0 : partial.length()) + part.length();
        if (size > limit) {
            tooBig = true;
            partial = null;
            return null;
        }
        if (last && partial == null) {
            return part; // the usual case, one frame: no copy
        }
        if (partial == null) {
            partial = new StringBuilder(Math.min(limit, Math.max(256, part.length() * 2)));
        }
        partial.append(part);
        if (!last) {
            return null;
        }
        String message = partial.toString();
        partial = null;
        return message;
    }

    /** True once a message went over the limit: the connection must be closed with 1009. */
    boolean tooBig() {
        return tooBig;
    }
}
